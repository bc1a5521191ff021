import type { LineReport } from '../../modules/import/import.service.js';
import { fr } from './fr.js';

/** The French detail of an import report line: why it was rejected, or what it changed. */
export function importLineDetail(line: Pick<LineReport, 'rejection' | 'changed' | 'pendingEmail'>): string {
  if (line.rejection) return fr.bo.importRejections[line.rejection];
  return [...(line.changed ?? []).map((c) => fr.bo.importChanges[c]), ...(line.pendingEmail ? [fr.bo.importPendingEmail(line.pendingEmail)] : [])].join(', ');
}
