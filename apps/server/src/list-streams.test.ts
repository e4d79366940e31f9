// todo.changes by list over real HTTP and real sockets (contract: Lists and sharing, Realtime):
// a member's write reaches every member's stream, and nobody else's; a role change holds from the
// next write; a member removed, a member who leaves, a list deleted or its owner's account
// deleted gives `listRemoved`, and from then on nothing of the list reaches that person, on the
// stream open at that moment or in a replay from before. Lists are shared as people share them:
// an invite by mail (a real SMTP server), accepted with the link's token. The same across two
// server processes on one PostgreSQL.
import { createTestDatabase, type TestDatabase, testDrivers } from '@todo/db/testing';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  bearer,
  type ServerProcess,
  type Session,
  signUp,
  spawnServer,
  startTestServer,
  TEST_SECRET,
  type TestServer,
  testWebBuild,
  trpc,
} from './testing.ts';
import { startSmtpServer, type TestSmtpServer } from './testing-mail.ts';
import { type ChangeEvent, changesUrl, type EventStream, openEventStream } from './testing-sse.ts';

/** A deadline for what should come at once, generous for a busy machine; never a measurement. */
const DEADLINE_MS = 15_000;
/** How long a stream is watched for events that must not come (a sentinel then proves it was live). */
const QUIET_MS = 500;

type List = { id: string; name: string; role: string; memberCount: number };

/** A call's data over HTTP with a bearer token; throws naming the status otherwise. */
async function call<T>(
  url: string,
  session: Session,
  path: string,
  input?: unknown,
  mutation = true,
): Promise<T> {
  const answer = await trpc(url, path, { mutation, input, headers: bearer(session.token) });
  if (answer.status !== 200) throw new Error(`${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return (answer.body as { result: { data: T } }).result.data;
}

/** A call's refusal: its HTTP status and tRPC code. */
async function refusal(url: string, session: Session, path: string, input: unknown) {
  const answer = await trpc(url, path, { mutation: true, input, headers: bearer(session.token) });
  return {
    status: answer.status,
    code: (answer.body as { error?: { data?: { code?: string } } }).error?.data?.code,
  };
}

/** The next `count` changes of a stream. */
const changes = (stream: EventStream, count: number) => stream.changes(count, DEADLINE_MS);

/** What a change is about, in a word and a name: for comparing streams with what was done. */
function gist({ change }: ChangeEvent) {
  switch (change.type) {
    case 'upsert':
      return `upsert ${change.todo.title}`;
    case 'delete':
      return 'delete';
    case 'list':
      return `list ${change.list.name} ${change.list.role} ${change.list.memberCount}`;
    case 'listRemoved':
      return 'listRemoved';
    default:
      return change.type;
  }
}

/** Reads a stream for QUIET_MS: nothing but tRPC's handshake and keep-alives may come. */
async function expectNoChanges(stream: EventStream) {
  const events = await stream.during(QUIET_MS);
  expect(events.filter((event) => event.event !== 'connected' && event.event !== 'ping')).toEqual([]);
}

/**
 * What lists and sharing need of a server: accounts whose email is confirmed (an invite goes only
 * to a confirmed address), lists, invites read from the mail, streams.
 */
function sharing(url: () => string, smtp: () => TestSmtpServer, db: () => TestDatabase['db']) {
  return {
    async person(name: string) {
      const session = await signUp(url(), { name });
      await sql`update users set email_verified = true where id = ${session.userId}`.execute(db());
      return session;
    },
    newList: (owner: Session, name: string) => call<List>(url(), owner, 'list.create', { name }),
    /** Invites `member` by mail, and accepts with the token in the link. */
    async share(owner: Session, listId: string, member: Session, role: 'editor' | 'viewer' = 'editor') {
      await call(url(), owner, 'list.invite', { id: listId, email: member.email, role });
      const mail = await smtp().next(member.email);
      const token = new URL(mail.link).pathname.split('/').pop() ?? '';
      return call<List>(url(), member, 'invite.accept', { token });
    },
    add: (session: Session, listId: string, title: string) =>
      call<{ id: string; title: string }>(url(), session, 'todo.create', { title, listId }),
  };
}

describe.each(testDrivers.filter((driver) => driver !== 'neon'))('todo.changes by list (%s)', (driver) => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  const open: EventStream[] = [];
  const { person, newList, share, add } = sharing(
    () => server.url,
    () => smtp,
    () => server.testDatabase.db,
  );

  async function stream(session: Session, lastEventId?: string) {
    const opened = await openEventStream(changesUrl(server.url), {
      headers: bearer(session.token),
      lastEventId,
    });
    open.push(opened);
    expect(opened.status).toBe(200);
    expect((await opened.next(DEADLINE_MS))?.event).toBe('connected');
    return opened;
  }

  beforeAll(async () => {
    smtp = await startSmtpServer();
    server = await startTestServer(driver, { MAIL_URL: smtp.url });
  });
  afterEach(async () => {
    for (const opened of open.splice(0)) opened.close();
    await vi.waitFor(() => expect(server.feed.size).toBe(0), { timeout: DEADLINE_MS });
  });
  afterAll(async () => {
    await server?.stop();
    await smtp?.stop();
  });

  it('a member’s write reaches every member’s stream, with its list and author; a third account’s stream gets nothing', async () => {
    const [ann, ben, cat, dan] = [
      await person('Ann'),
      await person('Ben'),
      await person('Cat'),
      await person('Dan'),
    ];
    const list = await newList(ann, 'Trip');
    await share(ann, list.id, ben);
    await share(ann, list.id, cat, 'viewer');
    const streams = {
      ann: await stream(ann),
      ben: await stream(ben),
      cat: await stream(cat),
      dan: await stream(dan),
    };

    const todo = await add(ben, list.id, 'passports');
    await call(server.url, ann, 'todo.update', { id: todo.id, completed: true });
    for (const opened of [streams.ann, streams.ben, streams.cat]) {
      const [created, done] = await changes(opened, 2);
      expect(created?.change).toEqual({
        type: 'upsert',
        todo: expect.objectContaining({
          id: todo.id,
          listId: list.id,
          createdBy: ben.userId,
          updatedBy: ben.userId,
        }),
      });
      expect(done?.change).toMatchObject({
        type: 'upsert',
        todo: { completed: true, updatedBy: ann.userId },
      });
      await expectNoChanges(opened);
    }
    // Dan's stream, open throughout: nothing, and its next change is Dan's own.
    await expectNoChanges(streams.dan);
    const inInbox = await call<{ id: string }>(server.url, dan, 'todo.create', { title: 'Dan’s own' });
    const [own] = await changes(streams.dan, 1);
    expect(own?.change).toMatchObject({ type: 'upsert', todo: { id: inInbox.id } });
    expect(own?.id).toBe('1');
  });

  it('a role change holds from the next write: a viewer is refused, made editor writes, made viewer again is refused', async () => {
    const [ann, ben] = [await person('Ann'), await person('Ben')];
    const list = await newList(ann, 'Plans');
    await share(ann, list.id, ben, 'viewer');
    const bens = await stream(ben);
    const todo = await add(ann, list.id, 'book hotel');
    await changes(bens, 1);

    expect(await refusal(server.url, ben, 'todo.create', { title: 'mine', listId: list.id })).toEqual({
      status: 403,
      code: 'FORBIDDEN',
    });
    await call(server.url, ann, 'list.setRole', { id: list.id, userId: ben.userId, role: 'editor' });
    expect((await changes(bens, 1)).map(gist)).toEqual(['list Plans editor 2']);
    await call(server.url, ben, 'todo.update', { id: todo.id, title: 'book the hotel' });
    await call(server.url, ann, 'list.setRole', { id: list.id, userId: ben.userId, role: 'viewer' });
    expect((await changes(bens, 2)).map(gist)).toEqual(['upsert book the hotel', 'list Plans viewer 2']);
    expect(await refusal(server.url, ben, 'todo.update', { id: todo.id, completed: true })).toEqual({
      status: 403,
      code: 'FORBIDDEN',
    });
    await expectNoChanges(bens);
  });

  it('a removed member gets listRemoved on the open stream, then nothing of the list; a replay from before holds nothing of it after that', async () => {
    const [ann, ben, cat] = [await person('Ann'), await person('Ben'), await person('Cat')];
    const list = await newList(ann, 'Garden');
    await share(ann, list.id, ben);
    await share(ann, list.id, cat);
    // Ben's own event, outside the list: where a replay from before the removal starts.
    await call(server.url, ben, 'todo.create', { title: 'Ben’s own' });
    const { lastId: replayFrom } = await headOf(ben);
    const bens = await stream(ben);
    const cats = await stream(cat);
    await add(ann, list.id, 'seeds');
    await add(cat, list.id, 'rake');
    const seen = await changes(bens, 2);
    expect(seen.map(gist)).toEqual(['upsert seeds', 'upsert rake']);

    await call(server.url, ann, 'list.removeMember', { id: list.id, userId: ben.userId });
    expect(await changes(bens, 1)).toEqual([
      expect.objectContaining({ change: { type: 'listRemoved', id: list.id } }),
    ]);
    expect((await changes(cats, 3)).map(gist).at(-1)).toBe('list Garden editor 2');

    // Nothing more of the list: not a write, not a rename. Then Ben's own change comes through.
    await add(cat, list.id, 'hose');
    await call(server.url, ann, 'list.rename', { id: list.id, name: 'Allotment' });
    await expectNoChanges(bens);
    await call(server.url, ben, 'todo.create', { title: 'Ben’s after' });
    expect((await changes(bens, 1)).map(gist)).toEqual(['upsert Ben’s after']);

    // A replay from before the list's events: the removal, then only Ben's own.
    const replay = await stream(ben, replayFrom);
    expect((await changes(replay, 2)).map(gist)).toEqual(['listRemoved', 'upsert Ben’s after']);
    await expectNoChanges(replay);
    // From the last event Ben saw of the list, which the removal took out: a reset, then nothing.
    const fromGone = await stream(ben, seen.at(-1)?.id ?? '');
    expect((await changes(fromGone, 1)).map(gist)).toEqual(['reset']);
    await expectNoChanges(fromGone);
    // And Ben cannot read the list's todos any more.
    expect(
      (await trpc(server.url, 'todo.list', { input: { listId: list.id }, headers: bearer(ben.token) }))
        .status,
    ).toBe(404);
  });

  it('a member who leaves gets listRemoved; the others get the list with one member fewer', async () => {
    const [ann, ben] = [await person('Ann'), await person('Ben')];
    const list = await newList(ann, 'Books');
    await share(ann, list.id, ben);
    const [anns, bens] = [await stream(ann), await stream(ben)];
    await call(server.url, ben, 'list.leave', { id: list.id });
    expect((await changes(bens, 1)).map(gist)).toEqual(['listRemoved']);
    expect((await changes(anns, 1)).map(gist)).toEqual(['list Books owner 1']);
  });

  it('a deleted list sends listRemoved to every member, and no event of its todos', async () => {
    const [ann, ben, cat] = [await person('Ann'), await person('Ben'), await person('Cat')];
    const list = await newList(ann, 'Party');
    await share(ann, list.id, ben);
    await share(ann, list.id, cat, 'viewer');
    for (const title of ['cake', 'music']) await add(ben, list.id, title);
    const streams = [await stream(ann), await stream(ben), await stream(cat)];
    await call(server.url, ann, 'list.delete', { id: list.id });
    for (const opened of streams) {
      expect(await changes(opened, 1)).toEqual([
        expect.objectContaining({ change: { type: 'listRemoved', id: list.id } }),
      ]);
      await expectNoChanges(opened);
    }
  });

  it('an account deleted: the members of its lists get listRemoved', async () => {
    const [ann, ben] = [await person('Ann'), await person('Ben')];
    const list = await newList(ann, 'Ann’s');
    await share(ann, list.id, ben);
    const bens = await stream(ben);
    await sql`delete from users where id = ${ann.userId}`.execute(server.testDatabase.db);
    expect(await changes(bens, 1)).toEqual([
      expect.objectContaining({ change: { type: 'listRemoved', id: list.id } }),
    ]);
  });

  /** Where `session`'s log stands: the id a stream opened now would start after. */
  async function headOf(session: Session) {
    const { rows } = await sql<{ last_id: string }>`select coalesce(max(seq), 0)::text as last_id
      from todo_changes where user_id = ${session.userId}`.execute(server.testDatabase.db);
    return { lastId: rows[0]?.last_id ?? '0' };
  }
});

describe.runIf(process.env.TEST_DATABASE_URL)('todo.changes by list across two server processes', () => {
  let smtp: TestSmtpServer;
  let database: TestDatabase;
  let servers: ServerProcess[] = [];
  let webDist = '';
  const streams: EventStream[] = [];

  beforeAll(async () => {
    smtp = await startSmtpServer();
    database = await createTestDatabase('pg');
    webDist = testWebBuild();
    const env = {
      NODE_ENV: 'production',
      DATABASE_URL: database.url ?? '',
      BETTER_AUTH_SECRET: TEST_SECRET,
      AUTH_RATE_LIMIT_PER_MINUTE: '0',
      LOG_REQUESTS: 'false',
      WEB_DIST: webDist,
      MAIL_URL: smtp.url,
    };
    servers = await Promise.all([spawnServer({ env }), spawnServer({ env })]);
  }, 120_000);
  afterAll(async () => {
    for (const opened of streams) opened.close();
    await Promise.all(servers.map((server) => server.stop()));
    await database?.dispose();
    await smtp?.stop();
    const { rmSync } = await import('node:fs');
    if (webDist) rmSync(webDist, { recursive: true, force: true });
  });

  it('a write through one process reaches every member’s stream on the other; a removal there ends the list for the removed', async () => {
    const [one, two] = servers as [ServerProcess, ServerProcess];
    const { person, newList, share, add } = sharing(
      () => one.url,
      () => smtp,
      () => database.db,
    );
    const open = async (base: string, session: Session) => {
      const opened = await openEventStream(changesUrl(base), { headers: bearer(session.token) });
      streams.push(opened);
      expect((await opened.next(DEADLINE_MS))?.event).toBe('connected');
      return opened;
    };
    const [ann, ben, dan] = [await person('Ann'), await person('Ben'), await person('Dan')];
    const list = await newList(ann, 'Across');
    await share(ann, list.id, ben);
    const annOnTwo = await open(two.url, ann);
    const benOnTwo = await open(two.url, ben);
    const benOnOne = await open(one.url, ben);
    const danOnTwo = await open(two.url, dan);

    await add(ann, list.id, 'from process one');
    for (const opened of [annOnTwo, benOnTwo, benOnOne]) {
      expect((await changes(opened, 1)).map(gist)).toEqual(['upsert from process one']);
    }
    await call(two.url, ann, 'list.removeMember', { id: list.id, userId: ben.userId });
    for (const opened of [benOnTwo, benOnOne])
      expect((await changes(opened, 1)).map(gist)).toEqual(['listRemoved']);
    await add(ann, list.id, 'after the removal');
    expect((await changes(annOnTwo, 2)).map(gist)).toEqual([
      'list Across owner 1',
      'upsert after the removal',
    ]);
    for (const opened of [benOnTwo, benOnOne, danOnTwo]) await expectNoChanges(opened);
  });
});
