import type { Status, StatusListener } from '../worker/status.js';

/**
 * The latest status of every connector and task this worker knows of, plus the topics each
 * connector has used (Kafka Connect's active-topic tracking). In standalone mode this is the truth;
 * the distributed herder also publishes what it records here.
 */
export class StatusBook implements StatusListener {
  private readonly connectorStatus = new Map<string, Status>();
  private readonly taskStatus = new Map<string, Map<number, Status>>();
  private readonly topics = new Map<string, Set<string>>();

  onConnector(name: string, status: Status): void {
    this.connectorStatus.set(name, status);
  }

  onTask(connector: string, task: number, status: Status): void {
    let m = this.taskStatus.get(connector);
    if (!m) this.taskStatus.set(connector, (m = new Map()));
    m.set(task, status);
  }

  onTopic(connector: string, topic: string): void {
    let s = this.topics.get(connector);
    if (!s) this.topics.set(connector, (s = new Set()));
    s.add(topic);
  }

  connector(name: string): Status | undefined {
    return this.connectorStatus.get(name);
  }

  task(connector: string, task: number): Status | undefined {
    return this.taskStatus.get(connector)?.get(task);
  }

  tasks(connector: string): Array<[number, Status]> {
    return [...(this.taskStatus.get(connector) ?? new Map<number, Status>())].sort(([a], [b]) => a - b);
  }

  activeTopics(connector: string): string[] {
    return [...(this.topics.get(connector) ?? [])].sort();
  }

  resetTopics(connector: string): void {
    this.topics.delete(connector);
  }

  forgetTask(connector: string, task: number): void {
    this.taskStatus.get(connector)?.delete(task);
  }

  forget(connector: string): void {
    this.connectorStatus.delete(connector);
    this.taskStatus.delete(connector);
    this.topics.delete(connector);
  }
}
