import { expect, test } from 'vitest';
import { routeOf } from './routes.ts';

test('each known path has its page; any other path shows the todos', () => {
  expect(routeOf('/')).toEqual({ page: 'todos' });
  expect(routeOf('/account')).toEqual({ page: 'account' });
  expect(routeOf('/today')).toEqual({ page: 'today' });
  expect(routeOf('/upcoming')).toEqual({ page: 'upcoming' });
  expect(routeOf('/reset-password')).toEqual({ page: 'reset-password' });
  expect(routeOf('/forgot-password')).toEqual({ page: 'forgot-password' });
  expect(routeOf('/nowhere')).toEqual({ page: 'todos' });
  expect(routeOf('/account/more')).toEqual({ page: 'todos' });
});

test('a list has its page at /lists/<id>, an invite at /invite/<token>', () => {
  const id = '0B7D7C1E-2F4A-4C55-9A53-1B2F3C4D5E6F';
  expect(routeOf(`/lists/${id}`)).toEqual({ page: 'todos', listId: id.toLowerCase() });
  expect(routeOf('/lists/not-an-id')).toEqual({ page: 'todos' });
  expect(routeOf('/invite/abc_DEF-123')).toEqual({ page: 'invite', token: 'abc_DEF-123' });
  expect(routeOf('/invite/')).toEqual({ page: 'todos' });
});
