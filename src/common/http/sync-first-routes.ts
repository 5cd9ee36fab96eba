import { ForbiddenException, type CanActivate, type PipeTransform } from '@nestjs/common';
import { FORBIDDEN_MESSAGE } from '@nestjs/core/guards/constants';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { destroyStreamableFile } from '@nestjs/core/helpers/destroy-streamable-file';
import { STATIC_CONTEXT } from '@nestjs/core/injector/constants';
import { markRejectedByPipes } from '@nestjs/core/router/rejected-by-pipes';
import { RouterExecutionContext } from '@nestjs/core/router/router-execution-context';
import { RouterProxy } from '@nestjs/core/router/router-proxy';
import { isObservable } from 'rxjs';
import { isThenable, MaybePromise, then } from '../maybe-promise';

/*
 * Nest runs every route through ~10 async functions (guards, pipes, handler, response), each a
 * promise with its async-hook callbacks (AsyncLocalStorage is on for MikroORM): 8 µs of the
 * ~28 µs that GET /health/live cost. For routes without interceptors, SSE, render or redirect,
 * the executor below runs the same steps in the same order but synchronously until a guard, pipe
 * or handler actually returns a promise; from there it continues asynchronously. Everything else
 * (request-scoped controllers, interceptors) keeps Nest's own executor. Written against
 * @nestjs/core 11.2.10 (pinned); the route tests exercise every branch.
 */

type RouteArgs = [request: unknown, reply: unknown, next: unknown];
type Route = (...args: RouteArgs) => unknown;

interface ParamPlan {
  index: number;
  extractValue: (...args: RouteArgs) => unknown;
  type: number | string;
  data: unknown;
  metatype?: unknown;
  pipes: PipeTransform[];
}

interface HandlerMetadata {
  argsLength: number;
  fnHandleResponse: (result: unknown, reply: unknown, request: unknown) => Promise<unknown>;
  paramtypes?: unknown[];
  getParamsMetadata: (moduleKey: string, contextId?: unknown, inquirerId?: string) => ParamPlan[];
  httpStatusCode: number;
  hasCustomHeaders: boolean;
  responseHeaders: unknown[];
}

/** The parts of Nest's RouterExecutionContext this executor reuses (private in its typings). */
interface ExecutionInternals {
  getMetadata(...args: unknown[]): HandlerMetadata;
  contextUtils: {
    mergeParamsMetatypes(params: ParamPlan[], types?: unknown[]): ParamPlan[];
  };
  pipesContextCreator: { create(...args: unknown[]): PipeTransform[] };
  guardsContextCreator: { create(...args: unknown[]): CanActivate[] };
  interceptorsContextCreator: { create(...args: unknown[]): unknown[] };
  guardsConsumer: { pickResult(result: unknown): Promise<boolean> };
  pipesConsumer: { paramsTokenFactory: { exchangeEnumForString(type: unknown): string } };
  responseController: {
    setStatus(reply: unknown, status: number): void;
    setHeaders(reply: unknown, headers: unknown[]): void;
  };
  applicationRef: { reply(reply: unknown, body: unknown, status: number): unknown };
  isPipeable(type: unknown): boolean;
  isResponseHandled(instance: unknown, methodName: string, params: ParamPlan[]): boolean;
  reflectSse(callback: unknown): unknown;
  reflectRedirect(callback: unknown): unknown;
  reflectRenderTemplate(callback: unknown): unknown;
}

const SYNC_FIRST = Symbol('keyhold.syncFirstRoute');

interface RoutePlan {
  instance: object;
  callback: (...args: unknown[]) => unknown;
  exec: ExecutionInternals;
  meta: HandlerMetadata;
  guards: CanActivate[];
  params: { plan: ParamPlan; pipes: PipeTransform[]; token: string }[];
  responseHandled: boolean;
}

function activate(plan: RoutePlan, args: RouteArgs, from = 0): MaybePromise<void> {
  if (plan.guards.length === 0) return;
  const context = new ExecutionContextHost(args, plan.instance.constructor as never, plan.callback);
  context.setType('http');
  for (let i = from; i < plan.guards.length; i++) {
    const result = plan.guards[i].canActivate(context);
    if (typeof result === 'boolean') {
      if (!result) throw new ForbiddenException(FORBIDDEN_MESSAGE);
      continue;
    }
    return plan.exec.guardsConsumer.pickResult(result).then((allowed) => {
      if (!allowed) throw new ForbiddenException(FORBIDDEN_MESSAGE);
      return activate(plan, args, i + 1);
    });
  }
}

function pipe(
  value: unknown,
  pipes: PipeTransform[],
  meta: object,
  from = 0,
): MaybePromise<unknown> {
  let current = value;
  for (let i = from; i < pipes.length; i++) {
    const result: unknown = pipes[i].transform(current, meta as never);
    if (isThenable(result)) return Promise.resolve(result).then((v) => pipe(v, pipes, meta, i + 1));
    current = result;
  }
  return current;
}

/** Each parameter extracted and piped in order; the first one to fail rejects the request. */
function resolveParams(
  plan: RoutePlan,
  values: unknown[],
  args: RouteArgs,
  from = 0,
): MaybePromise<void> {
  for (let i = from; i < plan.params.length; i++) {
    const { plan: param, pipes, token } = plan.params[i];
    const value = param.extractValue(...args);
    // Only what pipes return is awaited: a FastifyReply (@Res) is itself a thenable.
    if (pipes.length === 0) {
      values[param.index] = value;
      continue;
    }
    const piped = pipe(value, pipes, { metatype: param.metatype, type: token, data: param.data });
    if (isThenable(piped)) {
      return Promise.resolve(piped).then((v) => {
        values[param.index] = v;
        return resolveParams(plan, values, args, i + 1);
      });
    }
    values[param.index] = piped;
  }
}

function withPipeRejection<T>(request: unknown, run: () => MaybePromise<T>): MaybePromise<T> {
  try {
    const result = run();
    if (!isThenable(result)) return result;
    return Promise.resolve(result).catch((error: unknown) => {
      markRejectedByPipes(request);
      throw error;
    });
  } catch (error) {
    markRejectedByPipes(request);
    throw error;
  }
}

function respond(plan: RoutePlan, result: unknown, args: RouteArgs): MaybePromise<unknown> {
  // Observables (and their disconnect handling) stay with Nest's own response function.
  if (isObservable(result)) return plan.meta.fnHandleResponse(result, args[1], args[0]);
  if (plan.responseHandled) return undefined;
  try {
    plan.exec.applicationRef.reply(args[1], result, plan.meta.httpStatusCode);
  } catch (error) {
    destroyStreamableFile(result);
    throw error;
  }
  // Not the reply: a FastifyReply is a thenable, and the proxy would wait for it.
  return undefined;
}

function run(plan: RoutePlan, args: RouteArgs): MaybePromise<unknown> {
  const values: unknown[] = new Array<unknown>(plan.meta.argsLength).fill(undefined);
  return then(activate(plan, args), () => {
    plan.exec.responseController.setStatus(args[1], plan.meta.httpStatusCode);
    if (plan.meta.hasCustomHeaders) {
      plan.exec.responseController.setHeaders(args[1], plan.meta.responseHeaders);
    }
    return then(
      withPipeRejection(args[0], () => resolveParams(plan, values, args)),
      () =>
        then(plan.callback.apply(plan.instance, values), (result) => respond(plan, result, args)),
    );
  });
}

/** The plan for a route this executor can run, or undefined to leave it to Nest's. */
function planRoute(exec: ExecutionInternals, createArgs: unknown[]): RoutePlan | undefined {
  const [instance, callback, methodName, moduleKey, requestMethod, contextId, inquirerId] =
    createArgs as [object, RoutePlan['callback'], string, string, number, unknown, string];
  if (contextId !== undefined && contextId !== STATIC_CONTEXT) return undefined;
  if (exec.reflectSse(callback) || exec.reflectRedirect(callback)) return undefined;
  if (exec.reflectRenderTemplate(callback)) return undefined;
  const enhancers = <T>(creator: { create(...args: unknown[]): T[] }): T[] =>
    creator.create(instance, callback, moduleKey, STATIC_CONTEXT, inquirerId);
  if (enhancers(exec.interceptorsContextCreator).length > 0) return undefined;
  const meta = exec.getMetadata(instance, callback, methodName, moduleKey, requestMethod, 'http');
  const declared = meta.getParamsMetadata(moduleKey, STATIC_CONTEXT, inquirerId);
  const pipes = enhancers(exec.pipesContextCreator);
  return {
    instance,
    callback,
    exec,
    meta,
    guards: enhancers(exec.guardsContextCreator),
    params: exec.contextUtils.mergeParamsMetatypes(declared, meta.paramtypes).map((plan) => ({
      plan,
      pipes: exec.isPipeable(plan.type) ? pipes.concat(plan.pipes) : [],
      token: exec.pipesConsumer.paramsTokenFactory.exchangeEnumForString(plan.type),
    })),
    responseHandled: exec.isResponseHandled(instance, methodName, declared),
  };
}

let installed = false;

/** Installs the sync-first executor for every Nest application of this process (idempotent). */
export function installSyncFirstRoutes(): void {
  if (installed) return;
  installed = true;
  const create = RouterExecutionContext.prototype.create;
  RouterExecutionContext.prototype.create = function (this: unknown, ...createArgs: unknown[]) {
    const nests = (create as (...a: unknown[]) => Route).apply(this, createArgs);
    const plan = planRoute(this as ExecutionInternals, createArgs);
    if (!plan) return nests;
    const route = (...args: RouteArgs) => run(plan, args);
    return Object.assign(route, { [SYNC_FIRST]: true });
  } as typeof create;

  const createProxy = RouterProxy.prototype.createProxy;
  RouterProxy.prototype.createProxy = function (this: RouterProxy, target, exceptionsHandler) {
    if (!(SYNC_FIRST in target)) return createProxy.call(this, target, exceptionsHandler);
    const fail = (args: RouteArgs, error: unknown) => {
      exceptionsHandler.next(error as Error, new ExecutionContextHost(args));
      return args[1];
    };
    return ((...args: RouteArgs) => {
      let pending: unknown;
      try {
        pending = (target as Route)(...args);
      } catch (error) {
        fail(args, error);
        return undefined;
      }
      if (isThenable(pending)) {
        return Promise.resolve(pending).then(
          () => undefined,
          (error: unknown) => fail(args, error),
        );
      }
      return undefined;
    }) as ReturnType<typeof createProxy>;
  };
}
