namespace Channels.Redis;

/// <summary>
/// The Lua scripts of the Redis presence store, each run atomically by Redis. Layout (under the channel prefix):
/// a hash per channel (<c>presence:…</c>: socket id → owning server id + metadata), a set per server of the
/// entries it owns (<c>presence-server:{id}</c>), the set of servers holding presence (<c>presence-servers</c>),
/// and each server's heartbeat key (<c>presence-alive:{id}</c>, with an expiry).
/// </summary>
internal static class RedisPresenceScripts
{
    /// <summary>
    /// KEYS: channel hash, own index, servers set. ARGV: socket id, value, most members, index entry, own id.
    /// Returns -1 full, else 1 if updated (0 joined), plus 2 if this server was not in the servers set: it
    /// had been swept as dead, and is put back so that its members are swept if it does die.
    /// </summary>
    public const string Track = """
        local held = redis.call('HEXISTS', KEYS[1], ARGV[1])
        if held == 0 and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return -1 end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        redis.call('SADD', KEYS[2], ARGV[4])
        return held + 2 * redis.call('SADD', KEYS[3], ARGV[5])
        """;

    /// <summary>KEYS: channel hash, own index. ARGV: socket id, index entry. Returns the value removed, or nil.</summary>
    public const string Untrack = """
        local value = redis.call('HGET', KEYS[1], ARGV[1])
        if not value then return false end
        redis.call('HDEL', KEYS[1], ARGV[1])
        redis.call('SREM', KEYS[2], ARGV[2])
        return value
        """;

    /// <summary>
    /// KEYS: servers set, the dead server's heartbeat key, its index. ARGV: its id. When its heartbeat has
    /// expired and this caller is the one that removes it from the servers set (so one server only cleans
    /// up, and publishes the leaves), removes its members and returns them as pairs (index entry, value).
    /// </summary>
    public const string Sweep = """
        if redis.call('EXISTS', KEYS[2]) == 1 then return {} end
        if redis.call('SREM', KEYS[1], ARGV[1]) == 0 then return {} end
        local removed = {}
        for _, entry in ipairs(redis.call('SMEMBERS', KEYS[3])) do
          local e = cjson.decode(entry)
          local value = redis.call('HGET', e[1], e[2])
          if value and string.sub(value, 1, string.len(ARGV[1])) == ARGV[1] then
            redis.call('HDEL', e[1], e[2])
            removed[#removed + 1] = entry
            removed[#removed + 1] = value
          end
        end
        redis.call('DEL', KEYS[3])
        return removed
        """;
}
