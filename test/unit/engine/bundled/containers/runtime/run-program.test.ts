import { runProgram } from '../../../../../../src/engine/bundled/containers/runtime/run-program';

describe('runProgram', () => {
  it('returns the exit code and what the program printed, without rejecting on failure', async () => {
    await expect(runProgram('sh', ['-c', 'echo out; echo err >&2; exit 3'])).resolves.toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' });
  });

  it('writes a string or bytes to stdin, and gives an empty stdin otherwise', async () => {
    expect((await runProgram('cat', [], { input: 'text' })).stdout).toBe('text');
    expect((await runProgram('od', ['-An', '-tx1'], { input: Buffer.from([0, 0xff]) })).stdout.trim()).toBe('00 ff');
    expect(await runProgram('cat', [])).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('passes cwd and env', async () => {
    const r = await runProgram('sh', ['-c', 'pwd; echo "$X"'], { cwd: '/tmp', env: { PATH: process.env.PATH, X: 'x1' } });
    expect(r.stdout).toBe('/tmp\nx1\n');
  });

  it('reports a signal as 128 + its number', async () => {
    expect((await runProgram('sh', ['-c', 'kill -TERM $$'])).code).toBe(143);
    expect((await runProgram('sh', ['-c', 'kill -SEGV $$'])).code).toBe(139);
  });

  it('rejects when the program cannot start, or outlives its timeout (killed)', async () => {
    await expect(runProgram('/nonexistent/prog', [])).rejects.toThrow('cannot run /nonexistent/prog');
    const started = Date.now();
    await expect(runProgram('sleep', ['30'], { timeoutMs: 200 })).rejects.toThrow('sleep 30 did not finish within 200 ms and was killed');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
