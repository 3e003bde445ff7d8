import fs from 'node:fs/promises';

/**
 * Reads the complete lines appended to a file since `offset` (a line ffmpeg is still writing stays for the
 * next read). A file that does not exist yet has no lines.
 */
export async function readNewLines(
  file: string,
  offset: number,
): Promise<{ lines: string[]; offset: number }> {
  const handle = await fs.open(file, 'r').catch(() => undefined);
  if (!handle) return { lines: [], offset };
  try {
    const { size } = await handle.stat();
    if (size <= offset) return { lines: [], offset };
    const buffer = Buffer.alloc(size - offset);
    await handle.read(buffer, 0, buffer.length, offset);
    const text = buffer.toString('utf8');
    const complete = text.lastIndexOf('\n') + 1;
    return {
      lines: text
        .slice(0, complete)
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
      offset: offset + Buffer.byteLength(text.slice(0, complete)),
    };
  } finally {
    await handle.close();
  }
}
