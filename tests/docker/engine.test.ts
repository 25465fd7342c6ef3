import type Docker from 'dockerode';
import { testImageName } from '../../lib/testing/test-image';
import { describeWithDocker, withTimeout } from '../helpers/docker';
import { demuxLogs } from '../helpers/docker-logs';

const RUN_TIMEOUT_MS = 20_000;

/** The body of the engine's wait response; @types/dockerode leaves it untyped. */
interface WaitResult {
  StatusCode: number;
}

async function runToCompletion(docker: Docker, image: string, cmd: string[]) {
  const container = await docker.createContainer({
    Image: image,
    Cmd: cmd,
    // The test needs no network, and this sandbox must not reach beyond the machine.
    HostConfig: { NetworkMode: 'none' },
    Labels: { 'swarm.test': 'engine' },
  });
  try {
    await container.start();
    const result = (await withTimeout(container.wait(), RUN_TIMEOUT_MS, 'the container to exit')) as WaitResult;
    const output = demuxLogs(await container.logs({ stdout: true, stderr: true }));
    return { exitCode: result.StatusCode, ...output };
  } finally {
    await container.remove({ force: true });
  }
}

describeWithDocker('docker engine', (docker) => {
  const image = testImageName();

  test(`has the local test image ${image}`, async () => {
    const info = await docker
      .getImage(image)
      .inspect()
      .catch((err: unknown) => {
        throw new Error(`test image ${image} is missing; run scripts/build-test-image.sh (${String(err)})`);
      });
    expect(info.RepoTags).toContain(image);
  });

  test('runs a container to completion and reports its exit code and output', async () => {
    const run = await runToCompletion(docker, image, ['sh', '-c', 'echo hello-from-swarm; exit 3']);
    expect(run.exitCode).toBe(3);
    expect(run.stdout.split('\n')).toContain('hello-from-swarm');
  });

  test('leaves no container behind', async () => {
    await runToCompletion(docker, image, ['true']);
    const leftovers = await docker.listContainers({ all: true, filters: { label: ['swarm.test=engine'] } });
    expect(leftovers).toEqual([]);
  });
});
