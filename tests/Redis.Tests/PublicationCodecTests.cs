using System.Diagnostics;
using Channels.Backplane;

namespace Channels.Redis.Tests;

/// <summary>What crosses Redis: the trace context travels with the publication, and older versions are refused with why.</summary>
public sealed class PublicationCodecTests
{
    private static readonly EncodedPacket Packet = new("42[\"message\",\"hi\"]"u8.ToArray(), []);

    [Fact]
    public void The_trace_context_of_a_publication_made_in_an_activity_round_trips_as_remote()
    {
        using var activity = new Activity("publish").SetIdFormat(ActivityIdFormat.W3C).Start();
        activity.TraceStateString = "vendor=1";
        activity.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        var publication = ChannelPublication.ToChannels("/", ["room-1"], [Packet]);
        Assert.Equal(activity.Context, publication.TraceContext);

        var (_, _, decoded) = PublicationCodec.Decode(PublicationCodec.Encode("server", Guid.NewGuid(), publication));

        Assert.Equal(activity.TraceId, decoded.TraceContext.TraceId);
        Assert.Equal(activity.SpanId, decoded.TraceContext.SpanId);
        Assert.Equal(ActivityTraceFlags.Recorded, decoded.TraceContext.TraceFlags);
        Assert.Equal("vendor=1", decoded.TraceContext.TraceState);
        Assert.True(decoded.TraceContext.IsRemote);
        Assert.Equal(["room-1"], decoded.Channels);
    }

    [Fact]
    public void A_publication_made_outside_any_activity_carries_no_trace_context()
    {
        Assert.Null(Activity.Current);
        var publication = ChannelPublication.ToAll("/", Packet);

        var (_, _, decoded) = PublicationCodec.Decode(PublicationCodec.Encode("server", Guid.NewGuid(), publication));

        Assert.Equal(default, decoded.TraceContext);
    }

    [Fact]
    public void A_message_of_another_version_is_refused_saying_that_servers_must_run_one_version()
    {
        var bytes = PublicationCodec.Encode("server", Guid.NewGuid(), ChannelPublication.ToAll("/", Packet));
        bytes[0] = 2;

        var error = Assert.Throws<InvalidDataException>(() => PublicationCodec.Decode(bytes));
        Assert.Contains("version 2", error.Message, StringComparison.Ordinal);
    }
}
