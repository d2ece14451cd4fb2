using Akka.Actor;
using Akka.Configuration;
using Mesh.Protocol.Serialization;

namespace Mesh.Protocol.Tests.Serialization;

/// <summary>
/// One ActorSystem for the serialization tests, configured the way members register the serializer
/// (HOCON name "mesh", bound to IMeshMessage).
/// </summary>
public sealed class SerializerFixture : IDisposable
{
    public const string Hocon = """
        akka.actor {
          serializers.mesh = "Mesh.Protocol.Serialization.MeshSerializer, Mesh.Protocol"
          serialization-bindings {
            "Mesh.Protocol.Contracts.IMeshMessage, Mesh.Protocol" = mesh
          }
        }
        akka.loglevel = WARNING
        """;

    public SerializerFixture()
    {
        System = ActorSystem.Create("mesh-serializer-tests", ConfigurationFactory.ParseString(Hocon));
        Serializer = new MeshSerializer((ExtendedActorSystem)System);
    }

    public ActorSystem System { get; }
    public MeshSerializer Serializer { get; }

    public void Dispose() => System.Terminate().Wait(TimeSpan.FromSeconds(10));
}

[CollectionDefinition(Name)]
public sealed class SerializerCollection : ICollectionFixture<SerializerFixture>
{
    public const string Name = "serializer";
}
