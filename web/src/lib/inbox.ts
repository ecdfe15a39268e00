// The notices inbox, read from IndexedDB: lib/live.ts stores each notice once, in
// arrival order, which is cursor order (the store's auto-increment key).
import { announce, db } from "./db";
import type { NoticeRecord } from "./model";

export interface InboxItem {
  key: number;
  notice: NoticeRecord;
}

/** Every stored notice, in arrival (cursor) order: oldest first. */
export async function inbox(): Promise<InboxItem[]> {
  const database = await db();
  const tx = database.transaction("notices");
  const [keys, notices] = await Promise.all([tx.store.getAllKeys(), tx.store.getAll()]);
  await tx.done;
  return keys.map((key, i) => ({ key, notice: notices[i] }));
}

export async function markRead(key: number): Promise<void> {
  const database = await db();
  const tx = database.transaction("notices", "readwrite");
  const notice = await tx.store.get(key);
  if (notice && !notice.read) await tx.store.put({ ...notice, read: true }, key);
  await tx.done;
  announce("notices");
}

export async function markAllRead(): Promise<void> {
  const database = await db();
  const tx = database.transaction("notices", "readwrite");
  for (let cursor = await tx.store.openCursor(); cursor; cursor = await cursor.continue()) {
    if (!cursor.value.read) await cursor.update({ ...cursor.value, read: true });
  }
  await tx.done;
  announce("notices");
}
