/** Human tasks application service (#12): the inbox and the actions people take on tasks. */
export {
  allowedActions,
  canSee,
  getTask,
  isCandidate,
  listTasks,
  resolveActor,
  taskDetail,
  taskSummary,
  type HumanTaskActor,
  type ResolvedActor,
  type TaskListQuery,
} from './inbox';
export {
  addComment,
  assigneeChoices,
  assignTask,
  claimTask,
  completeTask,
  listComments,
  releaseTask,
  type AssignRequest,
  type CompleteRequest,
  type HumanTaskDeps,
} from './actions';
export { effectiveData, formActions, submissionErrors } from '../forms/submission';
