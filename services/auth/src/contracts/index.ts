// The auth module's public contract (`@np/auth-service/contracts`). It lives in @np/contracts,
// which every package loads: auth is always on and libraries read its types (principals,
// revocations). This entry point keeps the rule that every module's contract is `<package>/contracts`.
export { AUTH_CONTRACTS, AUTH_EVENTS, AUTH_MESSAGES, AUTH_ROUTES } from '@np/contracts';
