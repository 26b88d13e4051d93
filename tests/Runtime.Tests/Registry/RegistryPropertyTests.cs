using Channels.Backplane;
using CsCheck;

namespace Channels.Tests.Registry;

/// <summary>
/// The registry under concurrent subscribe, unsubscribe and disconnect from many sockets (each socket's own
/// calls in order, as its connection loop makes them): membership ends as each socket's own set says, and
/// every channel is "occupied" and "vacated" in balance, which the Redis backplane's subscriptions rely on.
/// </summary>
public sealed class RegistryPropertyTests
{
    private static readonly string[] ChannelNames = ["c0", "c1", "c2", "c3"];

    private sealed class Member(string id) : IChannelMember
    {
        public int Delivered;

        public string Id { get; } = id;

        public string Namespace => "/";

        public ChannelSocket Socket => throw new NotSupportedException();

        public SubscriptionSet Subscriptions { get; } = new();

        public bool Deliver(EncodedPacket packet)
        {
            Interlocked.Increment(ref Delivered);
            return true;
        }

        public Task<ChannelPayload> EmitWithAckAsync(EncodedPacket packet, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }

    private enum Op
    {
        Subscribe,
        Unsubscribe,
        Disconnect,
    }

    [Fact]
    public void Concurrent_changes_leave_the_registry_as_the_sockets_own_sets_say_and_occupancy_balanced()
    {
        var op = Gen.Select(Gen.Enum<Op>(), Gen.Int[0, ChannelNames.Length - 1]);
        op.Array[0, 30].Array[2, 6].Sample(scripts =>
        {
            var registry = new ChannelRegistry();
            var members = scripts.Select((_, i) => new Member($"m{i}")).ToArray();
            var occupied = new int[ChannelNames.Length];
            var vacated = new int[ChannelNames.Length];

            Parallel.For(0, members.Length, i =>
            {
                var member = members[i];
                registry.AddSocket(member);
                foreach (var (kind, channel) in scripts[i])
                {
                    switch (kind)
                    {
                        case Op.Subscribe when member.Subscriptions.Add(ChannelNames[channel]):
                            if (registry.Subscribe(member, ChannelNames[channel]))
                            {
                                Interlocked.Increment(ref occupied[channel]);
                            }

                            break;
                        case Op.Unsubscribe when member.Subscriptions.Remove(ChannelNames[channel]):
                            if (registry.Unsubscribe(member, ChannelNames[channel]))
                            {
                                Interlocked.Increment(ref vacated[channel]);
                            }

                            break;
                        case Op.Disconnect:
                            foreach (var held in member.Subscriptions.ToArray())
                            {
                                member.Subscriptions.Remove(held);
                                if (registry.Unsubscribe(member, held))
                                {
                                    Interlocked.Increment(ref vacated[Array.IndexOf(ChannelNames, held)]);
                                }
                            }

                            break;
                    }
                }
            });

            for (var c = 0; c < ChannelNames.Length; c++)
            {
                var holders = members.Where(m => m.Subscriptions.Contains(ChannelNames[c])).ToArray();
                Assert.Equal(holders.Length, registry.CountSubscribers("/", ChannelNames[c]));
                Assert.Equal(holders.Length > 0 ? 1 : 0, occupied[c] - vacated[c]);

                foreach (var m in members)
                {
                    m.Delivered = 0;
                }

                var packet = new EncodedPacket("42[\"message\",\"x\"]"u8.ToArray());
                Assert.Equal(holders.Length, registry.Deliver(ChannelPublication.ToChannels("/", [ChannelNames[c]], [packet])));
                Assert.All(members, m => Assert.Equal(holders.Contains(m) ? 1 : 0, m.Delivered));
            }
        }, iter: 300);
    }
}
