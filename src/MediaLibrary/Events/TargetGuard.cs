using System.Net;
using System.Net.Sockets;

namespace MediaLibrary.Events;

/// Keeps outgoing requests (webhooks; imports by URL use it too) away from this machine and its
/// networks: every address a host resolves to is checked, and the connection goes to an address
/// that passed, so a DNS answer that changes between check and connect (rebinding) cannot send
/// it elsewhere. Server-side request forgery is number 7 of the OWASP API Top 10.
internal static class TargetGuard
{
    /// Why an address is refused, or null when it is a public one.
    public static string? Refusal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] switch
            {
                0 => "an unspecified address",
                10 => "a private address",
                127 => "a loopback address",
                100 when b[1] is >= 64 and <= 127 => "a shared (CGNAT) address",
                169 when b[1] == 254 => "a link-local address",
                172 when b[1] is >= 16 and <= 31 => "a private address",
                192 when b[1] == 168 => "a private address",
                192 when b[1] == 0 && b[2] == 0 => "a protocol-assignment address",
                198 when b[1] is 18 or 19 => "a benchmarking address",
                >= 224 and <= 239 => "a multicast address",
                >= 240 => "a reserved address",
                _ => null,
            };
        }

        if (address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6None))
        {
            return "an unspecified address";
        }

        if (IPAddress.IsLoopback(address))
        {
            return "a loopback address";
        }

        var v6 = address.GetAddressBytes();
        return address switch
        {
            { IsIPv6LinkLocal: true } => "a link-local address",
            { IsIPv6SiteLocal: true } => "a site-local address",
            { IsIPv6Multicast: true } => "a multicast address",
            _ when (v6[0] & 0xFE) == 0xFC => "a unique-local address",
            // 64:ff9b::/96 (NAT64) and ::a.b.c.d (IPv4-compatible) carry an IPv4 address: judge that one.
            _ when v6[0] == 0 && v6[1] == 0x64 && v6[2] == 0xFF && v6[3] == 0x9B || v6.Take(12).All(x => x == 0) =>
                Refusal(new IPAddress(v6[12..])),
            _ => null,
        };
    }

    /// A handler whose every connection goes to an address of the request's host that `policy` allows.
    public static SocketsHttpHandler Handler(TargetPolicy policy) => new()
    {
        AllowAutoRedirect = false,
        // A proxy from the environment would receive the connection instead of the checked address.
        UseProxy = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        ConnectCallback = async (context, ct) =>
        {
            var host = context.DnsEndPoint.Host.Trim('[', ']');
            var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
            var allowed = addresses.Where(a => policy.Refusal(a) is null).ToArray();
            if (allowed.Length == 0)
            {
                var reason = addresses.Length == 0 ? "resolves to no address" : $"resolves to {policy.Refusal(addresses[0])} ({addresses[0]})";
                throw new TargetRefusedException($"Refused: {host} {reason}.");
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}

/// Which addresses outgoing requests may reach: public ones, and private ones when all are allowed
/// (tests, closed networks) or when they lie in one of the listed networks (an archive server on
/// the newsroom's own network, say).
internal sealed record TargetPolicy(bool AllowPrivate, IReadOnlyList<IPNetwork> AllowedNetworks)
{
    public static TargetPolicy Public { get; } = new(false, []);

    public string? Refusal(IPAddress address)
    {
        if (AllowPrivate)
        {
            return null;
        }

        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return AllowedNetworks.Any(n => n.Contains(plain)) ? null : TargetGuard.Refusal(address);
    }

    /// Why a URL whose host is an address literal is refused (known before any connection: a
    /// configuration or a request can be refused up front), or null (a name, or an allowed address).
    public string? LiteralRefusal(Uri url) =>
        IPAddress.TryParse(url.Host.Trim('[', ']'), out var literal) ? Refusal(literal) : null;

    /// `10.20.0.0/16, 192.168.7.12`: networks or single addresses, comma-separated.
    public static TargetPolicy Parse(bool allowPrivate, string? networks, string setting)
    {
        var list = new List<IPNetwork>();
        foreach (var item in (networks ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPNetwork.TryParse(item, out var network))
            {
                list.Add(network);
            }
            else if (IPAddress.TryParse(item, out var single))
            {
                list.Add(new IPNetwork(single, single.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                throw new Hosting.StartupException($"{setting}: '{item}' is neither an address nor a network like 10.20.0.0/16.");
            }
        }

        return new TargetPolicy(allowPrivate, list);
    }
}

/// The target was refused before any connection was opened.
internal sealed class TargetRefusedException(string message) : HttpRequestException(message);
