// Kafka partitions as the splits of a parallel source: subtask i of n reads the partitions Flink's
// KafkaSourceEnumerator gives reader i (getSplitOwner: start index from the topic's Java hashCode, then
// partitions round robin), whatever the consumer group. A kafkajs partition assigner applies it: every
// member says which subtask it is (its userData), and the group's leader hands each member exactly the
// partitions its subtask owns, so no rebalance can move a partition to another subtask.
import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';
import type { SubtaskInfo } from '../../core/connector.js';

/** java.lang.String.hashCode. */
function javaHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** KafkaSourceEnumerator.getSplitOwner: the subtask that reads this partition. */
export function partitionOwner(topic: string, partition: number, parallelism: number): number {
  const startIndex = (Math.imul(javaHash(topic), 31) & 0x7fffffff) % parallelism;
  return (startIndex + partition) % parallelism;
}

/** The assigner for subtask `self`: each member gets the partitions its subtask owns. */
export function subtaskAssigner(self: SubtaskInfo): PartitionAssigner {
  return ({ cluster }) => ({
    name: 'SluiceSubtaskAssigner',
    version: 1,
    protocol: ({ topics }) => ({
      name: 'SluiceSubtaskAssigner',
      metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.from(JSON.stringify(self)) }),
    }),
    async assign({ members, topics }) {
      return members.map((m) => {
        const decoded = AssignerProtocol.MemberMetadata.decode(m.memberMetadata);
        const who = JSON.parse(decoded?.userData.toString() || '{}') as Partial<SubtaskInfo>;
        const assignment: Record<string, number[]> = {};
        for (const topic of topics) {
          const parts = cluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId);
          assignment[topic] = parts.filter((p) => who.index !== undefined && partitionOwner(topic, p, who.parallelism ?? 1) === who.index);
        }
        return { memberId: m.memberId, memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment, userData: Buffer.alloc(0) }) };
      });
    },
  });
}

/** An assigner that gives its member exactly `assignment` (topic → partitions): a reader that owns fixed partitions. */
export function fixedAssigner(assignment: Record<string, number[]>): PartitionAssigner {
  return () => ({
    name: 'SluiceFixedAssigner',
    version: 1,
    protocol: ({ topics }) => ({ name: 'SluiceFixedAssigner', metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }) }),
    async assign({ members }) {
      // One member per group (each reader has its own), which gets everything asked for.
      return members.map((m, i) => ({
        memberId: m.memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment: i === 0 ? assignment : {}, userData: Buffer.alloc(0) }),
      }));
    },
  });
}
