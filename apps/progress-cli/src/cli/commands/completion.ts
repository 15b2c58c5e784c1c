/** `progress completion [bash|zsh]`: print a shell completion script. */
import type { Argv } from 'yargs';
import type { GlobalArgs } from '../command-kit.js';
import { handle, single, track } from '../command-kit.js';
import type { Context } from '../context.js';
import { BASH_COMPLETION, ZSH_COMPLETION } from '../completion-scripts.js';

export function completionCommand(ctx: Context) {
  return {
    command: 'completion [shell]',
    describe: 'print a completion script for bash or zsh',
    builder: (y: Argv<GlobalArgs>) =>
      track(ctx, 'completion [bash|zsh]', y)
        .positional('shell', { type: 'string', choices: ['bash', 'zsh'], describe: 'default: from $SHELL' })
        .example('$0 completion bash >> ~/.bashrc', '')
        .example('$0 completion zsh > "${fpath[1]}/_progress"', ''),
    handler: handle(ctx, (args: GlobalArgs & Record<string, unknown>) => {
      const shell = single(args.shell) ?? ((ctx.env.SHELL ?? '').endsWith('zsh') ? 'zsh' : 'bash');
      ctx.io.stdout(shell === 'zsh' ? ZSH_COMPLETION : BASH_COMPLETION);
    }),
  };
}
