// Gives every service of the distributed shape its own RabbitMQ user in the vhost of NP_AMQP_URL,
// limited to the queues and exchanges it needs, with a fresh password on every run. Prints one
// `NP_AMQP_URL_<SERVICE>=<url>` line per service for tools/start-distributed.sh to use.
// Needs the built workspace (`npm run build`) and the administrator's NP_AMQP_MANAGEMENT_URL.
import { RabbitMqManagement, amqpUrlFor } from '@np/messaging';

const brokerUrl = process.env.NP_AMQP_URL;
const managementUrl = process.env.NP_AMQP_MANAGEMENT_URL;
if (!brokerUrl || !managementUrl) {
  console.error('NP_AMQP_URL and NP_AMQP_MANAGEMENT_URL must be set (source .local/servers.env)');
  process.exit(78);
}
const vhost = decodeURIComponent(new URL(brokerUrl).pathname.slice(1)) || '/';
const management = new RabbitMqManagement(managementUrl);
for (const service of process.argv.slice(2)) {
  const user = `np.${service}`;
  const password = await management.provisionServiceUser(vhost, user, service);
  console.log(`NP_AMQP_URL_${service.toUpperCase().replaceAll('-', '_')}=${amqpUrlFor(brokerUrl, vhost, user, password)}`);
}
