namespace Channels.HandlerLibrary;

/// <summary>Handlers that live in a class library, on their own namespace.</summary>
[ChannelHandlers(Namespace = "/library")]
public static partial class LibraryHandlers
{
    /// <summary>Answers <c>library-ping</c>.</summary>
    [OnEvent("library-ping")]
    public static string Ping(string from) => $"pong to {from} from the library";
}
