using Channels.Backplane;
using Channels.Protocol;
using Channels.Recovery;

namespace Channels.Tests.Recovery;

/// <summary>The small rules under recovery: offsets, where a replay starts, the log's bounds, which packets carry offsets.</summary>
public sealed class ReplayRulesTests
{
    [Theory]
    [InlineData("0-0", 0L, 0L)]
    [InlineData("1764590000000-3", 1764590000000L, 3L)]
    public void Stream_ids_parse(string text, long ms, long seq)
    {
        Assert.True(StreamOffset.TryParse(text, out var offset));
        Assert.Equal(new StreamOffset(ms, seq), offset);
        Assert.Equal(text, offset.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("12")]
    [InlineData("-1")]
    [InlineData("1-")]
    [InlineData("1-2-3")]
    [InlineData("+1-2")]
    [InlineData("1 -2")]
    [InlineData("99999999999999999999-0")]
    [InlineData("١-٢")]
    public void Anything_else_does_not(string? text) => Assert.False(StreamOffset.TryParse(text, out _));

    [Fact]
    public void Offsets_grow_within_a_millisecond_and_never_go_back_with_the_clock()
    {
        var first = StreamOffset.Zero.Next(100);
        Assert.Equal(new StreamOffset(100, 0), first);
        Assert.Equal(new StreamOffset(100, 1), first.Next(100));
        Assert.Equal(new StreamOffset(100, 1), first.Next(50));
        Assert.Equal(new StreamOffset(101, 0), first.Next(101));
    }

    private static readonly SessionRecord Record = new("sid", "/", ["a"], Start: new(10, 0), LastOffset: "20-0", Head: new(30, 0), SuspendedAtMs: 0);

    [Theory]
    [InlineData("20-0", "30-0")] // got all it was sent: from the drop
    [InlineData("15-0", "15-0")] // lost some in flight: from its own offset
    [InlineData("5-0", "10-0")] // an offset from an older session: from this socket's start
    [InlineData(null, "10-0")] // no offset although it was sent some: from the start
    public void A_replay_starts_where_the_client_can_have_stopped(string? offset, string start) =>
        Assert.Equal(start, Record.ReplayStart(offset).ToString());

    [Theory]
    [InlineData("31-0")]
    [InlineData("x")]
    public void An_offset_ahead_of_the_drop_or_not_an_offset_means_a_fresh_session(string offset) =>
        Assert.Null(Record.ReplayStart(offset));

    [Fact]
    public void A_socket_never_sent_anything_replays_from_its_drop_without_an_offset() =>
        Assert.Equal(Record.Head, (Record with { LastOffset = null }).ReplayStart(null));

    [Fact]
    public void A_record_survives_the_store()
    {
        var decoded = SessionRecord.Decode(Record.Encode())!;
        Assert.Equal(Record with { Channels = [] }, decoded with { Channels = [] });
        Assert.Equal(Record.Channels, decoded.Channels);
        Assert.Null(SessionRecord.Decode("{\"sid\":1}"u8));
        Assert.Null(SessionRecord.Decode("not json"u8));
    }

    [Theory]
    [InlineData("42[\"a\",1]", true)]
    [InlineData("42/admin,[\"a\"]", true)]
    [InlineData("451-[\"a\",{\"_placeholder\":true,\"num\":0}]", true)]
    [InlineData("4212[\"a\"]", false)]
    [InlineData("42/admin,7[\"a\"]", false)]
    [InlineData("43[\"a\"]", false)]
    [InlineData("40{\"sid\":\"x\"}", false)]
    [InlineData("41", false)]
    public void Only_events_without_an_ack_carry_offsets(string frame, bool replayable)
    {
        var packet = new EncodedPacket(System.Text.Encoding.UTF8.GetBytes(frame));
        var stamped = PacketEncoder.WithOffset(packet, "5-1");
        Assert.Equal(replayable, PacketEncoder.IsReplayable(packet.Frame.Span));
        Assert.Equal(replayable ? frame[..^1] + ",\"5-1\"]" : frame, stamped.ToString());
    }

    [Fact]
    public void The_log_drops_its_oldest_entries_past_its_bounds_and_says_when_it_cannot_replay()
    {
        var time = new ManualTime();
        var log = new RecoveryLog(new ConnectionStateRecoveryOptions { MaxPackets = 3, MaxPacketsPerSocket = 1 }, time);
        var offsets = Enumerable.Range(0, 5).Select(i => StreamOffset.TryParse(log.Append(Publication(i)).Offset, out var o) ? o : default).ToArray();
        Assert.Equal(3, log.Count);
        Assert.Null(log.ReadAfter(offsets[0], 10)); // the entry after it left the log
        Assert.Equal(2, log.ReadAfter(offsets[2], 10)!.Count);
        Assert.Null(log.ReadAfter(offsets[2], 1)); // more than asked for
        Assert.Empty(log.ReadAfter(offsets[4], 10)!);
        Assert.Null(log.ReadAfter(offsets[4].Next(long.MaxValue), 10)); // ahead of the log

        time.Advance(TimeSpan.FromMinutes(4)); // past the window and the minute of slack
        Assert.Null(log.ReadAfter(offsets[3], 10));
        Assert.Equal(0, log.Count);
    }

    private static ChannelPublication Publication(int n) =>
        ChannelPublication.ToAll("/", new EncodedPacket(System.Text.Encoding.UTF8.GetBytes($"42[\"n\",{n}]")));

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
