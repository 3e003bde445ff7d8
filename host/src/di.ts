// tsyringe reads decorator records through the Reflect metadata API, which Node lacks: the polyfill is
// loaded here, before tsyringe, so every host module that uses DI gets both in the right order.
import 'reflect-metadata';
import type { Token } from '@deskrec/core';
import type { DependencyContainer } from 'tsyringe';

export { container, type DependencyContainer, inject, injectable, Lifecycle } from 'tsyringe';

/** A typed resolve: core's tokens carry their type, which tsyringe cannot read from a plain symbol. */
export function resolve<T>(container: DependencyContainer, token: Token<T>): T {
  return container.resolve<T>(token);
}
