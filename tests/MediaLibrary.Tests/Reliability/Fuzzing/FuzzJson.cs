using System.Text;

namespace MediaLibrary.Tests.Reliability.Fuzzing;

/// A JSON tree that can hold what System.Text.Json refuses to write: duplicate keys, raw invalid
/// UTF-8 and lone `\u` surrogate escapes, numbers of any size. Written byte for byte as built.
public abstract class FuzzJson
{
    public abstract FuzzJson Clone();

    public abstract void Write(List<byte> output);

    public byte[] ToBytes()
    {
        var output = new List<byte>();
        Write(output);
        return [.. output];
    }

    public override string ToString() => Encoding.UTF8.GetString(ToBytes()) is var s && s.Length > 300 ? s[..300] + "…" : Encoding.UTF8.GetString(ToBytes());

    /// A string with ordinary escaping.
    public static FuzzJson Str(string value) => new Literal(Quote(Encoding.UTF8.GetBytes(Escape(value))));

    /// A string whose bytes between the quotes are taken as they are (edge cases, broken escapes).
    public static FuzzJson RawStr(byte[] inner) => new Literal(Quote(inner));

    public static FuzzJson Raw(string token) => new Literal(Encoding.UTF8.GetBytes(token));

    public static FuzzJson Num(long value) => Raw(value.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static Obj O(params (string Key, FuzzJson Value)[] properties) =>
        new([.. properties.Select(p => (Encoding.UTF8.GetBytes(Escape(p.Key)), p.Value))]);

    public static Arr A(params FuzzJson[] items) => new([.. items]);

    public static FuzzJson From(System.Text.Json.Nodes.JsonNode? node) => node switch
    {
        System.Text.Json.Nodes.JsonObject o => O([.. o.Select(p => (p.Key, From(p.Value)))]),
        System.Text.Json.Nodes.JsonArray a => A([.. a.Select(From)]),
        null => Raw("null"),
        _ => Raw(node.ToJsonString()),
    };

    private static byte[] Quote(byte[] inner) => [(byte)'"', .. inner, (byte)'"'];

    private static string Escape(string value)
    {
        var json = System.Text.Json.JsonSerializer.Serialize(value);
        return json[1..^1];
    }

    public sealed class Literal(byte[] bytes) : FuzzJson
    {
        public byte[] Bytes { get; } = bytes;

        public override FuzzJson Clone() => this;

        public override void Write(List<byte> output) => output.AddRange(Bytes);
    }

    public sealed class Obj(List<(byte[] Key, FuzzJson Value)> properties) : FuzzJson
    {
        public List<(byte[] Key, FuzzJson Value)> Properties { get; } = properties;

        public override FuzzJson Clone() => new Obj([.. Properties.Select(p => (p.Key, p.Value.Clone()))]);

        public override void Write(List<byte> output)
        {
            output.Add((byte)'{');
            for (var i = 0; i < Properties.Count; i++)
            {
                if (i > 0)
                {
                    output.Add((byte)',');
                }

                output.Add((byte)'"');
                output.AddRange(Properties[i].Key);
                output.AddRange("\":"u8.ToArray());
                Properties[i].Value.Write(output);
            }

            output.Add((byte)'}');
        }
    }

    public sealed class Arr(List<FuzzJson> items) : FuzzJson
    {
        public List<FuzzJson> Items { get; } = items;

        public override FuzzJson Clone() => new Arr([.. Items.Select(i => i.Clone())]);

        public override void Write(List<byte> output)
        {
            output.Add((byte)'[');
            for (var i = 0; i < Items.Count; i++)
            {
                if (i > 0)
                {
                    output.Add((byte)',');
                }

                Items[i].Write(output);
            }

            output.Add((byte)']');
        }
    }

    /// Every object and array in the tree, in document order (the places a mutation can hit).
    public IEnumerable<FuzzJson> Containers()
    {
        if (this is Obj or Arr)
        {
            yield return this;
        }

        var children = this switch
        {
            Obj o => o.Properties.Select(p => p.Value),
            Arr a => a.Items,
            _ => [],
        };
        foreach (var child in children)
        {
            foreach (var container in child.Containers())
            {
                yield return container;
            }
        }
    }
}
