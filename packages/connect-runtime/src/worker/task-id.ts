/** A connector's task, as Kafka Connect's ConnectorTaskId: which connector, which task number. */
export interface ConnectorTaskId {
  readonly connector: string;
  readonly task: number;
}

/** A task as Connect prints it (`name-n`) in logs, messages and the tasks-config reply; never parsed back. */
export function taskLabel(id: ConnectorTaskId): string {
  return `${id.connector}-${id.task}`;
}

/** Values kept per task, found by connector and task number, so no string key is ever taken apart again. */
export class TaskTable<T> {
  private readonly byConnector = new Map<string, Map<number, T>>();

  get(id: ConnectorTaskId): T | undefined {
    return this.byConnector.get(id.connector)?.get(id.task);
  }

  has(id: ConnectorTaskId): boolean {
    return this.get(id) !== undefined;
  }

  set(id: ConnectorTaskId, value: T): void {
    let tasks = this.byConnector.get(id.connector);
    if (!tasks) this.byConnector.set(id.connector, (tasks = new Map()));
    tasks.set(id.task, value);
  }

  /** Removes the task's value and returns it. */
  delete(id: ConnectorTaskId): T | undefined {
    const tasks = this.byConnector.get(id.connector);
    const value = tasks?.get(id.task);
    tasks?.delete(id.task);
    if (tasks?.size === 0) this.byConnector.delete(id.connector);
    return value;
  }

  /** The task numbers of a connector, in order. */
  tasksOf(connector: string): number[] {
    return [...(this.byConnector.get(connector)?.keys() ?? [])].sort((a, b) => a - b);
  }

  valuesOf(connector: string): T[] {
    return [...(this.byConnector.get(connector)?.values() ?? [])];
  }

  *entries(): IterableIterator<[ConnectorTaskId, T]> {
    for (const [connector, tasks] of this.byConnector)
      for (const [task, value] of tasks) yield [{ connector, task }, value];
  }
}

/** KIP-618's transactional id of a source task's producer: `<group.id>-<connector>-<task>`, as Connect derives it. */
export function transactionalIdOf(groupId: string, id: ConnectorTaskId): string {
  return `${groupId}-${taskLabel(id)}`;
}
