/* light_ctx.h - placeholder; its owner fills it in. */
#ifndef LIGHTSTACK_LIGHT_CTX_H
#define LIGHTSTACK_LIGHT_CTX_H
#endif
