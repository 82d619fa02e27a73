/** Admin routes for products (part 1; the management API formalises roles). */
import type { FastifyInstance } from 'fastify';
import type { AdminGuard } from '../auth/admin-token.js';
import type { ProductService } from './products.js';

export function productRoutes(o: { products: ProductService; guard: AdminGuard }) {
  return (app: FastifyInstance): void => {
    app.addHook('onRequest', o.guard);
    app.post('/api/v1/products', async (req, reply) => {
      const p = await o.products.create(req.body);
      return reply.code(201).send({ ...p, createdAt: p.createdAt.toISOString() });
    });
    app.get('/api/v1/products', async () =>
      (await o.products.list()).map((p) => ({ ...p, createdAt: p.createdAt.toISOString() })),
    );
  };
}
