import sharp from 'sharp';
import { sha256Hex } from '../crypto.js';
import { ProviderError, type GenerationProvider } from './provider.js';

const TILE = 256;

/**
 * Not AI. A deterministic picture made from the examples and the prompt, so the whole
 * pipeline (upload, queue, storage, quotas, gallery) runs with no account anywhere: the
 * examples side by side, tinted with a colour taken from the prompt's hash, with a band
 * of that colour below. The same examples and prompt always give the same bytes.
 */
export function localProvider(): GenerationProvider {
  return {
    name: 'local',
    async generate({ prompt, examples }) {
      const digest = sha256Hex(prompt);
      const tint = {
        r: parseInt(digest.slice(0, 2), 16),
        g: parseInt(digest.slice(2, 4), 16),
        b: parseInt(digest.slice(4, 6), 16),
      };
      let tiles: Buffer[];
      try {
        tiles = await Promise.all(
          examples.map((e) =>
            sharp(e.bytes, { limitInputPixels: 64_000_000 })
              .resize(TILE, TILE, { fit: 'cover' })
              .tint(tint)
              .png()
              .toBuffer(),
          ),
        );
      } catch {
        throw new ProviderError('local', 'local provider: an example image could not be decoded', false);
      }
      const width = TILE * Math.max(1, tiles.length);
      const band = 32;
      const bytes = await sharp({ create: { width, height: TILE + band, channels: 3, background: tint } })
        .composite(tiles.map((input, i) => ({ input, left: i * TILE, top: 0 })))
        .png()
        .toBuffer();
      return { bytes, contentType: 'image/png' };
    },
  };
}
