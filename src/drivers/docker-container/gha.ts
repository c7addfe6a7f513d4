// GitHub Actions context for provenance (driver-opt `provenance-add-gha`, default on): when running in
// Actions, the builder container gets `provenance.d/github_actions_context.json`, which BuildKit adds to
// the provenance it records. Outside Actions nothing is written.
import { readFile } from 'node:fs/promises';
import { BuildxError } from '../../util/errors.js';
import { parseGoBoolOptional } from '../../util/go-strconv.js';

export const GHA_CONTEXT_FILE = 'provenance.d/github_actions_context.json';

/** Groups of variables that are recorded only when every variable of the group is set. */
const GROUPS: [key: string, env: string][][] = [
  [['github_actor', 'GITHUB_ACTOR'], ['github_actor_id', 'GITHUB_ACTOR_ID'], ['github_triggering_actor', 'GITHUB_TRIGGERING_ACTOR']],
  [['github_ref', 'GITHUB_REF'], ['github_ref_name', 'GITHUB_REF_NAME'], ['github_ref_protected', 'GITHUB_REF_PROTECTED'], ['github_ref_type', 'GITHUB_REF_TYPE']],
  [['github_repository', 'GITHUB_REPOSITORY'], ['github_repository_id', 'GITHUB_REPOSITORY_ID'], ['github_repository_owner', 'GITHUB_REPOSITORY_OWNER'], ['github_repository_owner_id', 'GITHUB_REPOSITORY_OWNER_ID']],
  [['github_job', 'GITHUB_JOB'], ['github_run_attempt', 'GITHUB_RUN_ATTEMPT'], ['github_run_id', 'GITHUB_RUN_ID'], ['github_run_number', 'GITHUB_RUN_NUMBER'], ['github_server_url', 'GITHUB_SERVER_URL'], ['github_workflow', 'GITHUB_WORKFLOW'], ['github_workflow_ref', 'GITHUB_WORKFLOW_REF'], ['github_workflow_sha', 'GITHUB_WORKFLOW_SHA']],
  [['github_runner_image_os', 'ImageOS'], ['github_runner_image_version', 'ImageVersion'], ['github_runner_os', 'RUNNER_OS'], ['github_runner_arch', 'RUNNER_ARCH'], ['github_runner_environment', 'RUNNER_ENVIRONMENT'], ['github_runner_tracking_id', 'RUNNER_TRACKING_ID'], ['github_runner_name', 'RUNNER_NAME']],
];

/** JSON with object keys sorted and HTML characters escaped, as Go's encoding/json writes a map. */
function goJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goJSON).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${goJSON(k)}:${goJSON(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The context file's content, or undefined when not in GitHub Actions or the event is unknown. */
export async function githubActionsContext(env: NodeJS.ProcessEnv = process.env): Promise<Buffer | undefined> {
  const gha = env.GITHUB_ACTIONS;
  if (gha === undefined) return undefined;
  if (!parseGoBoolOptional(gha)) return undefined;
  const eventName = env.GITHUB_EVENT_NAME ?? '';
  const eventPath = env.GITHUB_EVENT_PATH ?? '';
  if (!eventName || !eventPath) return undefined;
  let text: string;
  try {
    text = await readFile(eventPath, 'utf8');
  } catch (err) {
    throw new BuildxError(`failed to read GITHUB_EVENT_PATH ${JSON.stringify(eventPath)}: ${(err as Error).message}`);
  }
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch (err) {
    throw new BuildxError(`failed to unmarshal GitHub event payload from ${JSON.stringify(eventPath)}: ${(err as Error).message}`);
  }
  const m: Record<string, unknown> = { github_event_name: eventName, github_event_payload: payload };
  for (const group of GROUPS) {
    if (group.every(([, e]) => env[e])) for (const [k, e] of group) m[k] = env[e];
  }
  return Buffer.from(goJSON(m));
}
