// The Kafka transport of exchanges across processes (kafka-transport.ts), loaded only when a job is spread over
// taskmanagers: a bundle compiled without a Kafka connector leaves it (and kafkajs) out, as it leaves out the
// connectors it does not carry (compiler/bundle/bundle-job.ts), and then fails here with a hint.
export const kafkaTransport = () => import('./kafka-transport.js');
