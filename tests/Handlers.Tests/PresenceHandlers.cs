namespace Channels.Handlers.Tests;

/// <summary>Presence as a user writes it: tracked in [OnSubscribe], metadata through the app's JSON context.</summary>
public static partial class PresenceHandlers
{
    [OnSubscribe("^here-")]
    public static ValueTask Joining(ChannelSocket socket, string channel) => socket.TrackAsync(channel, new ChatLine(socket.Id, "here"));

    [OnEvent("leave-presence")]
    public static async ValueTask<bool> Leave(ChannelSocket socket, string room)
    {
        await socket.UntrackAsync(room);
        return true;
    }
}
