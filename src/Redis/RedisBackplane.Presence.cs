using StackExchange.Redis;

namespace Channels.Redis;

/// <summary>What the Redis presence store shares with the backplane: its connection and its server id.</summary>
internal sealed partial class RedisBackplane
{
    /// <summary>The connection, once started (null before, or when Redis was unreachable at start).</summary>
    internal IConnectionMultiplexer? Connection => _redis;

    /// <summary>This server's id (32 hex digits), the one its publications carry.</summary>
    internal string ServerId => _serverId;
}
