// Placeholder until the driver lands (same commit series): the contract is in types.ts.
import type { ComposeStack, ComposeUpOptions } from './types';

export async function up(_opts: ComposeUpOptions = {}): Promise<ComposeStack> {
  throw new Error('@keelson/compose: up() is not implemented yet');
}
