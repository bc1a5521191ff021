/** The bare Fastify "hello" server the login page is compared with, in a process of its own like the real one. */
import Fastify from 'fastify';

const app = Fastify();
app.get('/', async () => 'hello');
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
