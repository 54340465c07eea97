import { describe, expect, it } from '@jest/globals';
import { accessesIn, foreignAccesses, foreignWrites, readSchema, scanSource } from './table-access.js';

// One owner per table (issue #14): the module an entity lives in owns its table, and only that
// module writes it (raw SQL or TypeORM), through methods named for what they do. Reads across
// modules go through the owner's repository too, or a read model the owner publishes (a view,
// declared in a *.read-model.ts), which any module may join in its own statements.

describe('Table ownership', () => {
  const { schema, accesses } = scanSource();

  it('should find every table an entity declares, with its owner', () => {
    expect(schema.owners.get('calls')).toBe('calls');
    expect(schema.owners.get('lead_messages')).toBe('leads');
    expect(schema.owners.get('usage_daily')).toBe('usage');
    expect(schema.owners.size).toBeGreaterThanOrEqual(19);
    expect(Object.fromEntries(schema.readModels)).toEqual({ call_conversations: 'calls', lead_profiles: 'leads', tenant_profiles: 'tenants' });
  });

  it('should let no module write a table it does not own', () => {
    expect(foreignWrites(accesses, schema)).toEqual([]);
  });

  it('should let no module read a table it does not own, except through a published view', () => {
    expect(foreignAccesses(accesses, schema, 'read')).toEqual([]);
  });

  it('should take prose in comments for no access', () => {
    const s = readSchema();
    const file = `${process.cwd()}/src/modules/messaging/example.ts`;
    expect(accessesIn(file, '/** Kept apart from lead_messages on purpose. */\n// then UPDATE calls\nconst x = 1; // insert into leads', s)).toEqual([]);
  });

  it('should see a cross-module read through the entity manager, and let any module read a published view', () => {
    const s = readSchema();
    const file = `${process.cwd()}/src/modules/messaging/example.ts`;
    expect(foreignAccesses(accessesIn(file, 'await manager.findOneByOrFail(Tenant, { id });', s), s, 'read')).toEqual([
      'tenants <- messaging: src/modules/messaging/example.ts',
    ]);
    expect(accessesIn(file, 'SELECT t.settings FROM calls c JOIN tenant_profiles t ON t.id = c.tenant_id', s).map((a) => a.table)).toEqual(['calls']);
    expect(foreignAccesses(accessesIn(file, 'imports: [TypeOrmModule.forFeature([Call, LeadMessage])]', s), s, 'read')).toEqual([
      'calls <- messaging: src/modules/messaging/example.ts',
      'lead_messages <- messaging: src/modules/messaging/example.ts',
    ]);
  });

  it('should see a cross-module write in raw SQL, through a repository and through a query builder', () => {
    const s = readSchema();
    const file = `${process.cwd()}/src/modules/messaging/example.ts`;
    const sql = accessesIn(file, 'await db.query(`UPDATE usage_daily SET sms_out_segments = 1 WHERE tenant_id = $1`, [t]);', s);
    const repo = accessesIn(file, '@InjectRepository(Call) private readonly calls: Repository<Call>; f() { return this.calls.update({ id }, { status }); }', s);
    const qb = accessesIn(file, "manager.createQueryBuilder().insert().into(Lead).values({ phone }).execute(); manager.save(Tenant, { id, name: 'x' });", s);
    expect(foreignWrites([...sql, ...repo, ...qb], s)).toEqual([
      'calls <- messaging: src/modules/messaging/example.ts',
      'leads <- messaging: src/modules/messaging/example.ts',
      'tenants <- messaging: src/modules/messaging/example.ts',
      'usage_daily <- messaging: src/modules/messaging/example.ts',
    ]);
    // The owner writing its own table, and anyone reading it, are fine.
    expect(foreignWrites(accessesIn(`${process.cwd()}/src/modules/usage/usage.service.ts`, 'UPDATE usage_daily SET x = 1', s), s)).toEqual([]);
    expect(foreignWrites(accessesIn(file, 'SELECT * FROM calls JOIN leads ON true', s), s)).toEqual([]);
  });
});
