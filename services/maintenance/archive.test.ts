/**
 * The archive's files: gzip'd JSON lines under the table's name and label, complete once named, never
 * overwritten; a failed or empty write leaves no file behind.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { archiveTo, fileArchive } from './archive';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aos-archive-unit-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const lines = async (file: string) =>
  gunzipSync(await readFile(file))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as unknown);

describe('fileArchive', () => {
  it('writes one JSON object per line, many slices into one file, and names it by table and label', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ({
      id: i,
      text: `line\n${i} "quoted" \\ slash`,
      at: new Date(0),
    }));
    const file = await archiveTo(fileArchive(dir), 's.t', '20260101-20260201', async (f) => {
      await f.write(rows.slice(0, 2500));
      await f.write(rows.slice(2500));
      return rows.length;
    });
    expect(file).toEqual({ path: join(dir, 's.t.20260101-20260201.jsonl.gz'), rows: 5000 });
    expect(await lines(file!.path)).toEqual(JSON.parse(JSON.stringify(rows)));
    expect(await readdir(dir)).toEqual(['s.t.20260101-20260201.jsonl.gz']);
  });

  it('never overwrites a file: a second one of the same name gets -2', async () => {
    const archive = fileArchive(dir);
    const write = (v: number) =>
      archiveTo(archive, 's.t', 'b1', async (f) => {
        await f.write([{ v }]);
        return 1;
      });
    const a = await write(1);
    const b = await write(2);
    expect(b?.path).toBe(join(dir, 's.t.b1-2.jsonl.gz'));
    expect(await lines(a!.path)).toEqual([{ v: 1 }]);
    expect(await lines(b!.path)).toEqual([{ v: 2 }]);
  });

  it('removes the temporary file when the write fails or, asked to skip empty files, nothing was written', async () => {
    const archive = fileArchive(dir);
    await expect(
      archiveTo(archive, 's.t', 'x', async (f) => {
        await f.write([{ a: 1 }]);
        throw new Error('reading failed');
      }),
    ).rejects.toThrow('reading failed');
    expect(await archiveTo(archive, 's.t', 'y', async () => 0, true)).toBeUndefined();
    expect(await readdir(dir)).toEqual([]);
  });

  it('fails before writing when the folder cannot be created', async () => {
    await writeFile(join(dir, 'file'), 'x');
    await expect(fileArchive(join(dir, 'file', 'archive')).open('s.t', 'x')).rejects.toThrow(/ENOTDIR|EEXIST/);
  });
});
