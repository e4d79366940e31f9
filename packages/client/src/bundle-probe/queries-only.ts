// What a page that never subscribes imports (bundle.test.ts): tree-shaking must drop the rest.
export { errorCode, todoHttpLink } from '../index.ts';
