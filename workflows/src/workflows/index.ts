// The workflow bundle's entry point: only workflow functions are exported from here.
export { scalingControllerWorkflow } from './scaling-controller.workflow';
