/** `--key`: a private share's key, given as the whole link (magnet or app link) or as the x.tsk value alone. */
import { TabswarmError } from '../../shared/errors.ts';
import { parseMagnet } from '../../shared/magnet.ts';
import { decodeLinkKey, encodeLinkKey } from '../../shared/private/key.ts';

/** The key in its link form (base64url), checked. */
export function linkKeyOf(text: string): string {
  const at = text.indexOf('magnet:?');
  if (at === -1) return encodeLinkKey(decodeLinkKey(text.trim()));
  const key = parseMagnet(text.slice(at)).privateKey;
  if (key === undefined) throw new TabswarmError('PRIVATE_KEY_INVALID', 'That link has no private key (x.tsk=…): it is not a private share\'s link.');
  return key;
}
