import { parse as parseYaml } from 'yaml';

/** A spec file's content: YAML (JSON is YAML too); an Error naming the file on bad syntax. */
export function parseYamlOrJson(text: string, source: string): unknown {
  try {
    return parseYaml(text);
  } catch (error) {
    throw new Error(`${source}: not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
}
