/** Whether `timeZone` is an IANA time zone this runtime knows (report time buckets, schedules). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}
