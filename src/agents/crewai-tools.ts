// How CrewAI tools map to agentd's built-in tools (see `agentd import crewai`).

/**
 * CrewAI tool classes (and their usual instance names) that an agentd built-in does the work of, by a
 * normalised name: lowercase letters and digits, without a trailing `tool`.
 */
const TOOL_MAP: Readonly<Record<string, string>> = {
  fileread: 'read_file',
  filereader: 'read_file',
  filewriter: 'write_file',
  filewrite: 'write_file',
  directoryread: 'list_files',
  directoryreader: 'list_files',
  scrapewebsite: 'http_fetch',
  codeinterpreter: 'shell',
};

/** The built-in tools of agentd: a CrewAI tool already named like one maps to it. */
export const AGENTD_BUILTIN_TOOLS = [
  'current_time',
  'http_fetch',
  'list_files',
  'notes',
  'read_file',
  'shell',
  'write_file',
] as const;

/** The built-in a CrewAI tool maps to, or undefined. */
export function mapTool(tool: string): string | undefined {
  const cleaned = tool.replace(/\(.*\)$/s, '').trim();
  if ((AGENTD_BUILTIN_TOOLS as readonly string[]).includes(cleaned)) return cleaned;
  const normalised = cleaned
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .replace(/tool$/, '');
  return TOOL_MAP[normalised];
}
