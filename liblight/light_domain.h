/* light_domain.h - placeholder; its owner fills it in. */
#ifndef LIGHTSTACK_LIGHT_DOMAIN_H
#define LIGHTSTACK_LIGHT_DOMAIN_H
#endif
