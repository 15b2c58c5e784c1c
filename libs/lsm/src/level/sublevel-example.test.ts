/**
 * An example program written the Level way, over LsmLevel: sublevels (abstract-level's built-in
 * successor of `subleveldown`) for a table and a secondary index, kept in step by atomic batches
 * across the two sublevels, range reads of the index, an explicit snapshot, and the
 * data still there after reopening the directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { LsmLevel } from './index.js';

interface Book {
  title: string;
  author: string;
  year: number;
}

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

function openLibrary(location: string) {
  const db = new LsmLevel(location);
  const books = db.sublevel<string, Book>('books', { valueEncoding: 'json' });
  const byAuthor = db.sublevel('by-author');
  /** Writes a book and its index entry in one atomic batch across the two sublevels. */
  const addBooks = (entries: Array<[id: string, book: Book]>): Promise<void> =>
    db.batch<string, Book | string>(entries.flatMap(([id, book]) => [
      { type: 'put' as const, sublevel: books, key: id, value: book },
      { type: 'put' as const, sublevel: byAuthor, key: `${book.author}!${id}`, value: id },
    ]), {});
  return { db, books, byAuthor, addBooks };
}

it('a book catalogue on sublevels with an index, snapshot and reopen', async () => {
  dir = mkdtempSync(join(tmpdir(), 'lsm-level-example-'));
  const { db, books, byAuthor, addBooks } = openLibrary(dir);

  await addBooks([['siddhartha', { title: 'Siddhartha', author: 'Hesse', year: 1922 }]]);
  await addBooks([
    ['steppenwolf', { title: 'Steppenwolf', author: 'Hesse', year: 1927 }],
    ['the-trial', { title: 'The Trial', author: 'Kafka', year: 1925 }],
  ]);
  await db.put('unrelated', 'top-level key');

  // Range read on the index: every book by Hesse, in key order.
  const hesse = await byAuthor.values({ gte: 'Hesse!', lt: 'Hesse!\uffff' }).all();
  expect(hesse).toEqual(['siddhartha', 'steppenwolf']);
  expect(await books.getMany(hesse)).toMatchObject([{ year: 1922 }, { year: 1927 }]);

  // A snapshot keeps its view while the catalogue changes.
  const snapshot = db.snapshot();
  await books.del('the-trial');
  expect(await books.get('the-trial')).toBeUndefined();
  expect(await books.get('the-trial', { snapshot })).toMatchObject({ author: 'Kafka' });
  await snapshot.close();

  // The root database sees the sublevels' fully qualified keys.
  expect(await db.keys().all()).toEqual([
    '!books!siddhartha', '!books!steppenwolf',
    '!by-author!Hesse!siddhartha', '!by-author!Hesse!steppenwolf', '!by-author!Kafka!the-trial',
    'unrelated',
  ]);
  await db.close();

  const reopened = openLibrary(dir);
  expect(await reopened.books.keys().all()).toEqual(['siddhartha', 'steppenwolf']);
  expect(await reopened.books.get('steppenwolf')).toEqual({ title: 'Steppenwolf', author: 'Hesse', year: 1927 });
  await reopened.db.close();
});
