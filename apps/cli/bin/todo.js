#!/usr/bin/env node
// The `todo` command. The workspace runs TypeScript source without a build step (see
// docs/decisions), so this registers tsx's loader and then imports the real entry point.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
