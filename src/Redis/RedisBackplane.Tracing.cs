using System.Diagnostics;
using Channels.Backplane;
using Channels.Diagnostics;

namespace Channels.Redis;

/// <summary>
/// The trace of a publication received from another server: a <c>deliver</c> activity, a child of the
/// publisher's (carried in the message, see <see cref="PublicationCodec"/>), so that the deliveries on
/// every server join the trace of the handler or request that published. Nothing while nobody listens.
/// </summary>
internal sealed partial class RedisBackplane
{
    private static readonly ActivitySource Source = new(ChannelsTelemetry.ActivitySourceName, typeof(RedisBackplane).Assembly.GetName().Version?.ToString());

    // Tag values in the order of PublicationTarget.
    private static readonly string[] Targets = ["all", "channels", "socket"];

    /// <summary>Delivers a publication that came through Redis to this server's sockets, in its <c>deliver</c> activity.</summary>
    private void DeliverTraced(ChannelPublication publication)
    {
        var activity = StartDelivery(publication);
        var delivered = 0;
        try
        {
            delivered = _local.Deliver(publication);
        }
        finally
        {
            EndDelivery(activity, delivered);
        }
    }

    private static Activity? StartDelivery(ChannelPublication publication)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        // With no trace context the delivery starts a trace of its own (the Redis callback has no current activity).
        var activity = Source.StartActivity("deliver", ActivityKind.Consumer, publication.TraceContext);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("channels.namespace", publication.Namespace);
            activity.SetTag("channels.publication.target", Targets[(int)publication.Target]);
            activity.SetTag("channels.publication.channels", publication.Channels.Count);
        }

        return activity;
    }

    private static void EndDelivery(Activity? activity, int delivered)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag("channels.publication.recipients", delivered);
        activity.Dispose();
    }
}
