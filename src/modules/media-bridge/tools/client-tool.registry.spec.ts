import { describe, expect, it } from '@jest/globals';
import { ClientToolRegistry, type ClientToolContext } from './client-tool.registry.js';

function context(overrides: Partial<ClientToolContext> = {}): ClientToolContext & { ended: Array<[string, string]> } {
  const ended: Array<[string, string]> = [];
  return {
    tenantId: 't',
    callId: 'c',
    leadId: null,
    conversationId: null,
    handoffAvailable: true,
    parameters: {},
    call: { endAfterSpeech: (o, r) => ended.push([o, r]) },
    ended,
    ...overrides,
  };
}

describe(ClientToolRegistry.name, () => {
  it('should have end_call and transfer_to_human built in', async () => {
    const registry = new ClientToolRegistry();
    const ctx = context();
    expect(await registry.get('end_call')!.execute(ctx)).toMatchObject({ result: expect.any(String) });
    expect(await registry.get('transfer_to_human')!.execute(ctx)).toMatchObject({ result: expect.any(String) });
    expect(ctx.ended).toEqual([
      ['completed', 'agent_end_call'],
      ['transfer', 'agent_transfer'],
    ]);
  });

  it('should refuse a transfer when the tenant has no hand-off number', async () => {
    const ctx = context({ handoffAvailable: false });
    expect(await new ClientToolRegistry().get('transfer_to_human')!.execute(ctx)).toMatchObject({ isError: true });
    expect(ctx.ended).toEqual([]);
  });

  it('should let modules add tools (and replace a built-in), but not register a name twice', () => {
    const registry = new ClientToolRegistry();
    registry.register({ name: 'book_visit', execute: () => 'booked' });
    registry.register({ name: 'transfer_to_human', execute: () => 'taken over' });
    expect(registry.names()).toEqual(expect.arrayContaining(['end_call', 'transfer_to_human', 'book_visit']));
    expect(() => registry.register({ name: 'book_visit', execute: () => 'again' })).toThrow(/twice/);
  });
});
