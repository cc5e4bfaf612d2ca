/**
 * A validation rule: an operation whose type the schema has no root for (a subscription anywhere; a
 * mutation on a partner schema without one) is a validation error naming the types served, not an
 * internal error at execution.
 */
import { GraphQLError, OperationTypeNode, type ASTVisitor, type ValidationContext } from 'graphql';

export function supportedOperationTypes(context: ValidationContext): ASTVisitor {
  const schema = context.getSchema();
  return {
    OperationDefinition(node) {
      if (schema.getRootType(node.operation)) return;
      const served = [OperationTypeNode.QUERY, OperationTypeNode.MUTATION, OperationTypeNode.SUBSCRIPTION].filter((t) => schema.getRootType(t));
      context.reportError(new GraphQLError(`This endpoint does not support ${node.operation} operations (it serves: ${served.join(', ')})`, { nodes: [node] }));
    },
  };
}
