extension OpenAPIDocument {
    /// Users and their API tokens (`/users`, `/users/{name}/tokens`) and `/whoami`.
    static let users = #"""
        paths:
          /users:
            post:
              operationId: createUser
              summary: Create a user (admins); the response holds its first token, shown only once.
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      additionalProperties: false
                      required: [name, role]
                      properties:
                        name:
                          type: string
                          minLength: 1
                          maxLength: 64
                          description: 1 to 64 letters, digits, '.', '_', '-' or '@', in Unicode's composed form (NFC).
                        role:
                          type: string
                          enum: [viewer, contributor, reviewer, compliance, admin]
                          description: The user's role (matched ignoring case).
              responses:
                "201":
                  description: The user created, with its first API token (shown only in this response).
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [user, token]
                        properties:
                          user: {$ref: "#/components/schemas/User"}
                          token:
                            type: string
                            description: The user's first API token, labelled "first token"; it never expires.
                default: {$ref: "#/components/responses/Error"}
            get:
              operationId: listUsers
              summary: List every user (admins).
              responses:
                "200":
                  description: The users.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [users]
                        properties:
                          users:
                            type: array
                            items: {$ref: "#/components/schemas/User"}
                default: {$ref: "#/components/responses/Error"}
          /users/{name}:
            patch:
              operationId: updateUserRole
              summary: Change a user's role (admins); the last admin cannot be demoted.
              parameters:
                - $ref: "#/components/parameters/UserName"
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      additionalProperties: false
                      required: [role]
                      properties:
                        role:
                          type: string
                          enum: [viewer, contributor, reviewer, compliance, admin]
                          description: The new role (matched ignoring case).
              responses:
                "200":
                  description: The user with its new role.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [user]
                        properties:
                          user: {$ref: "#/components/schemas/User"}
                default: {$ref: "#/components/responses/Error"}
            delete:
              operationId: deleteUser
              summary: Delete a user and every token it holds (admins); the last admin cannot be deleted.
              parameters:
                - $ref: "#/components/parameters/UserName"
              responses:
                "200":
                  description: Deleted; the body is an empty object.
                  content:
                    application/json:
                      schema: {type: object}
                default: {$ref: "#/components/responses/Error"}
          /users/{name}/tokens:
            post:
              operationId: createUserToken
              summary: Issue another API token for a user (admins, or the user themself); it is shown only once.
              parameters:
                - $ref: "#/components/parameters/UserName"
              requestBody:
                required: false
                content:
                  application/json:
                    schema:
                      type: object
                      additionalProperties: false
                      properties:
                        label:
                          type: string
                          maxLength: 200
                          description: What the token is for; empty when omitted.
                        expires_in_days:
                          type: integer
                          minimum: 1
                          maximum: 3650
                          description: Days until the token stops working; omit it for a token that lasts until revoked.
              responses:
                "201":
                  description: The token, with the record it is listed and revoked by.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [token, token_info]
                        properties:
                          token:
                            type: string
                            description: The API token, shown only in this response.
                          token_info: {$ref: "#/components/schemas/AccessTokenRecord"}
                default: {$ref: "#/components/responses/Error"}
            get:
              operationId: listUserTokens
              summary: List a user's tokens (admins, or the user themself) by id, label and dates, never the tokens.
              parameters:
                - $ref: "#/components/parameters/UserName"
              responses:
                "200":
                  description: The user's tokens, oldest first.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [tokens]
                        properties:
                          tokens:
                            type: array
                            items: {$ref: "#/components/schemas/AccessTokenRecord"}
                default: {$ref: "#/components/responses/Error"}
          /users/{name}/tokens/{id}:
            delete:
              operationId: revokeUserToken
              summary: Revoke one of a user's tokens (admins, or the user themself).
              parameters:
                - $ref: "#/components/parameters/UserName"
                - name: id
                  in: path
                  required: true
                  description: The token's id (the first 16 hex digits of its digest), as listed.
                  schema: {type: string}
              responses:
                "200":
                  description: Revoked; the body is an empty object.
                  content:
                    application/json:
                      schema: {type: object}
                default: {$ref: "#/components/responses/Error"}
          /whoami:
            get:
              operationId: whoami
              summary: The identity the request acts as.
              responses:
                "200":
                  description: The caller's name, role and whether the request was authenticated.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [user]
                        properties:
                          user: {$ref: "#/components/schemas/User"}
                default: {$ref: "#/components/responses/Error"}
        schemas:
          User:
            type: object
            description: |
              A user. Listed users carry `created_at`; `/whoami` carries `authenticated` instead, and its role is
              `anonymous` for an unauthenticated request.
            required: [name, role]
            properties:
              name: {type: string}
              role:
                type: string
                enum: [viewer, contributor, reviewer, compliance, admin, anonymous]
              created_at:
                type: integer
                description: When the user was created, in milliseconds since the epoch.
              authenticated:
                type: boolean
                description: Whether the request carried a valid token (only in `/whoami`).
          AccessTokenRecord:
            type: object
            description: An issued API token as its owner and admins see it, never the token itself.
            required: [id, user, label, created_at]
            properties:
              id:
                type: string
                description: The first 16 hex digits of the token's digest.
              user: {type: string}
              label: {type: string}
              created_at:
                type: integer
                description: Milliseconds since the epoch.
              expires_at:
                type: integer
                description: When the token stops working, in milliseconds since the epoch; absent for never.
        """#
}
