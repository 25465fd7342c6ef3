// The task's image on the local engine: used as it is when present, pulled
// otherwise. A pull's failure arrives either as an HTTP error or as an
// `error` line in the progress stream, and both end as one thrown message.

import type Docker from 'dockerode';
import { engineMessage, isNotFound } from './engine-errors';

interface PullProgress {
  error?: string;
  errorDetail?: { message?: string };
}

function drainPull(stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let pending = '';
    let failure: string | undefined;
    const readLine = (line: string): void => {
      if (line.trim() === '') return;
      try {
        const p = JSON.parse(line) as PullProgress;
        failure ??= p.errorDetail?.message ?? p.error;
      } catch {
        // A progress line we cannot read says nothing about failure.
      }
    };
    stream.on('data', (chunk: Buffer | string) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(readLine);
    });
    stream.on('error', (e: unknown) => reject(new Error(engineMessage(e))));
    stream.on('end', () => {
      readLine(pending);
      if (failure !== undefined) reject(new Error(failure));
      else resolve();
    });
  });
}

/** Makes sure `image` is on the engine; throws with the engine's reason when it cannot be had. */
export async function ensureImage(docker: Docker, image: string): Promise<void> {
  try {
    await docker.getImage(image).inspect();
    return;
  } catch (e) {
    if (!isNotFound(e)) throw new Error(`inspecting image ${image}: ${engineMessage(e)}`);
  }
  try {
    await drainPull(await docker.pull(image));
  } catch (e) {
    throw new Error(`pulling image ${image}: ${engineMessage(e)}`);
  }
}
