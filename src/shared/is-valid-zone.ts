import { IANAZone } from 'luxon';

/** True for an IANA time zone name such as "Asia/Shanghai". */
export function isValidZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}
