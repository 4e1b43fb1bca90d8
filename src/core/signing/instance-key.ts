import type { Context } from '../../context.js';
import { newKeyPair, openKeyPair, publicJwk, type PublicJwk, type SigningKey, type StoredKeyPair } from './key-pair.js';

type Ctx = Pick<Context, 'db' | 'clock' | 'keys'>;

/** The instance_settings row that holds the instance's own pair (JSON of StoredKeyPair). */
const SETTING = 'signing_key';

/**
 * The instance's own Ed25519 pair, which signs answers that concern no known project (an
 * unknown license key). Made once, by whichever process asks first, and kept sealed in the
 * database so that every process of the instance signs with the same key.
 */
async function storedPair(ctx: Ctx): Promise<StoredKeyPair> {
  const read = () =>
    ctx.db.selectFrom('instance_settings').select('value').where('name', '=', SETTING).executeTakeFirst();
  let row = await read();
  if (!row) {
    const value = JSON.stringify(newKeyPair(ctx.keys.seal));
    await ctx.db
      .insertInto('instance_settings')
      .values({ name: SETTING, value, updated_at: ctx.clock.now() })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    row = await read();
    if (!row) throw new Error('the instance signing key could not be stored');
  }
  return JSON.parse(row.value) as StoredKeyPair;
}

export async function instanceSigningKey(ctx: Ctx): Promise<SigningKey> {
  const pair = await storedPair(ctx);
  return openKeyPair(ctx.keys.seal, pair.kid, pair.privateSealed);
}

export async function instanceJwks(ctx: Ctx): Promise<{ keys: PublicJwk[] }> {
  const pair = await storedPair(ctx);
  return { keys: [publicJwk(pair.kid, pair.publicPem)] };
}
