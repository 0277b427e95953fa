/* light_config.h - placeholder; its owner fills it in. */
#ifndef LIGHTSTACK_LIGHT_CONFIG_H
#define LIGHTSTACK_LIGHT_CONFIG_H
#endif
