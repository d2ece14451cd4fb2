using Akka.Serialization;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Serialization;

namespace Mesh.Protocol.Tests.Serialization;

/// <summary>The serializer as Akka uses it: looked up through the Serialization extension by HOCON binding.</summary>
[Collection(SerializerCollection.Name)]
public sealed class AkkaSerializationTests(SerializerFixture fixture)
{
    [Fact]
    public void Binding_to_IMeshMessage_selects_MeshSerializer_for_every_message()
    {
        foreach (var message in Samples.AllMessages())
        {
            var serializer = fixture.System.Serialization.FindSerializerFor(message);
            Assert.IsType<MeshSerializer>(serializer);
            Assert.Equal(MeshSerializer.SerializerId, serializer.Identifier);
        }
    }

    [Fact]
    public void Messages_round_trip_through_the_Serialization_extension()
    {
        var serialization = fixture.System.Serialization;
        foreach (var message in Samples.AllMessages())
        {
            var serializer = serialization.FindSerializerFor(message);
            var bytes = serializer.ToBinary(message);
            var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, message);

            var back = serialization.Deserialize(bytes, serializer.Identifier, manifest);

            Assert.Equal(message, back);
        }
    }

    [Fact]
    public void Binding_resolves_by_interface_type_too()
    {
        Assert.IsType<MeshSerializer>(fixture.System.Serialization.FindSerializerForType(typeof(PutNodeSlice)));
    }

    [Fact]
    public void Non_mesh_messages_keep_Akkas_default_serializer()
    {
        Serializer serializer = fixture.System.Serialization.FindSerializerFor("plain string");
        Assert.IsNotType<MeshSerializer>(serializer);
    }
}
