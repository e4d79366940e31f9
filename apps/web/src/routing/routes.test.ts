import { expect, test } from 'vitest';
import { routeOf } from './routes.ts';

test('each known path has its page; any other path shows the todos', () => {
  expect(routeOf('/')).toEqual({ page: 'todos' });
  expect(routeOf('/account')).toEqual({ page: 'account' });
  expect(routeOf('/reset-password')).toEqual({ page: 'reset-password' });
  expect(routeOf('/forgot-password')).toEqual({ page: 'forgot-password' });
  expect(routeOf('/nowhere')).toEqual({ page: 'todos' });
  expect(routeOf('/account/more')).toEqual({ page: 'todos' });
});
