namespace Channels;

/// <summary>A socket as a command reports it.</summary>
/// <param name="Id">The socket id.</param>
/// <param name="Namespace">Its namespace.</param>
/// <param name="Channels">The channels it is subscribed to, in the order it subscribed.</param>
public sealed record SocketInfo(string Id, string Namespace, IReadOnlyList<string> Channels);
